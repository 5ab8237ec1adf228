"""The pandas baseline of `payments_scale.py`: winnow's payment rules written again, independently of the SQL, the
way an analyst would with pandas (vectorised group-bys and merges where natural, per-group Python for the sliding
windows, a dict union-find for the entities), from the rule definitions in docs/payments.md. The benchmark runs it
beside winnow and compares the hits and the ranking, so each side checks the other.

Stage 1 (R1-R11, R14-R17) reads the payments; stage 2 (R12, R13, R19) reads who stage 1 flags; stage 3 (R18) reads
R12's receivers. The ranking merges the receivers that R19 ties into one row (each rule counted once per row), a
counter-indicator set aside by direct evidence gives no points, and a standing R14 or R16 takes the points of the
behaviour it explains."""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

KINDS = ("account", "iban", "phone", "wallet")
# a counter-indicator gives no points when one of these fires for the same row ...
SET_ASIDE = {"R14": {"R9", "R10", "R13"}, "R15": {"R9", "R10", "R13"}, "R16": {"R9", "R10", "R13"}}
# ... and one that stands makes these give no points (a family's regular remittances, a player's micro-payments)
EXPLAINS = {"R14": {"R3", "R4", "R8"}, "R16": {"R1", "R3", "R6"}}
PREFIXES = tuple(f"{k}:" for k in KINDS)


def run_pandas(folder: Path, inputs: dict[str, Any], ruleset: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(folder / "transactions.parquet")
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    find, known = _entities(df)
    high_risk = set(ruleset["high_risk_countries"])
    pay = df[df["receiver_country"].isin(high_risk) &
             (df["sender_country"].fillna("") != df["receiver_country"].fillna(""))].copy()
    pay = pay.sort_values(["s", "time_utc"], kind="stable")
    weights = {rule: float(v.get("weight", 1.0)) for rule, v in ruleset["rules"].items()}
    hits = _stage1(df, pay, inputs, ruleset["rules"], find, known)
    links: list[tuple[str, str]] = []
    flagged_set = _flagged(hits, weights, float(ruleset["flag_score"]))
    net = _network_payments(pay, hits, ruleset["rules"]["R16"])
    hits += _stage2(net, flagged_set, ruleset["rules"], links)
    hits += _stage3(df, net, flagged_set, hits, ruleset["rules"])
    senders, receivers = _rank(hits, links, weights)
    score_s = time.perf_counter() - start
    return {"rows": len(df), "import_s": load_s, "score_s": score_s, "hits": sorted(hits),
            "ranked": [r["entity"] for r in senders[:100]], "rows_ranked": senders + receivers,
            "ranked_receivers": [[r["entity"], r["score"], r["accounts"]] for r in receivers[:100]]}


def _entities(df: Any) -> tuple[Any, set[str]]:
    """Columns `s` and `r` (sender and receiver entity): a union-find over the identifiers seen on one side of a
    transaction; an entity is named by its smallest identifier, a side without one by its name and country."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    firsts = {}
    for side in ("sender", "receiver"):
        typed = [df[f"{side}_{k}"].map(lambda v, k=k: f"{k}:{v}" if isinstance(v, str) else None) for k in KINDS]
        first = typed[0].copy()
        for t in typed[1:]:
            first = first.fillna(t)
        firsts[side] = first
        for values in zip(*typed, strict=True):
            ids = [v for v in values if isinstance(v, str)]
            if ids:
                a = find(ids[0])
                for other in ids[1:]:
                    b = find(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                        a = min(a, b)
    for side, key in (("sender", "s"), ("receiver", "r")):
        fallback = "name:" + df[f"{side}_name"].fillna("") + "|" + df[f"{side}_country"].fillna("")
        df[key] = firsts[side].map(lambda v: find(v) if isinstance(v, str) else None).fillna(fallback)
    return find, set(parent)


def _stage1(df: Any, pay: Any, inputs: dict[str, Any], rules: dict[str, Any], find: Any,  # noqa: C901
            known: set[str]) -> list[list[Any]]:
    """The rules on the payments alone: one straightforward block per rule, inline."""
    import numpy as np
    import pandas as pd

    hits: list[list[Any]] = []

    def add(role: str, frame: pd.Series, rule: str) -> None:
        for party, count in frame.items():
            hits.append([role, party, rule, int(count)])

    g = pay.groupby("s", sort=False)
    n = g.size()
    # R1
    p = rules["R1"]
    low = pay[pay["amount_eur"] <= p["max_eur"]].groupby("s").size()
    add("sender", low[low >= p["min_payments"]], "R1")
    # R2
    p = rules["R2"]
    q = pay["amount"] / p["multiple_of"]
    k = pay.assign(x=(q - q.round()).abs() < 1e-9).groupby("s")["x"].sum()
    ok = (n >= p["min_payments"]) & (k / n >= p["min_share"])
    add("sender", k[ok], "R2")
    # R3
    p = rules["R3"]
    gaps = g["time_utc"].diff().dt.total_seconds() / 86400
    med_eur = g["amount_eur"].median()
    med_gap = gaps.groupby(pay["s"]).median().fillna(1e9)
    ok = (n >= p["min_payments"]) & (med_eur <= p["max_median_eur"]) & (med_gap <= p["max_median_gap_days"])
    add("sender", n[ok], "R3")

    # R4 and R5: the best 90-day window per party
    def best_window(frame: pd.DataFrame, key: str, distinct: Any, minimum: int, days: int) -> dict[str, int]:
        out = {}
        window = np.timedelta64(days, "D")
        for party, part in frame.groupby(key, sort=False):
            times = part["time_utc"].to_numpy()
            best, best_t = 0, None
            for i in range(len(part)):
                lo = np.searchsorted(times, times[i], "left")
                hi = np.searchsorted(times, times[i] + window, "right")
                inside = part.iloc[lo:hi]
                if distinct(inside) >= minimum and hi - lo > best:
                    best, best_t = hi - lo, times[i]
            if best_t is not None:
                out[party] = int(((times >= best_t) & (times <= best_t + window)).sum())
        return out

    p = rules["R4"]

    def distinct4(inside: pd.DataFrame) -> int:
        nr = inside["r"].nunique()
        na = inside["receiver_address"].nunique()
        return min(nr, na if na else nr)

    add("sender", pd.Series(best_window(pay, "s", distinct4, p["min_recipients"], p["window_days"])), "R4")
    p = rules["R5"]
    by_r = pay.sort_values(["r", "time_utc"], kind="stable")
    add("receiver", pd.Series(best_window(by_r, "r", lambda x: x["s"].nunique(), p["min_senders"],
                                          p["window_days"])), "R5")
    # R6
    p = rules["R6"]
    hour = pay["sender_local_time"].dt.hour
    night = ((hour >= p["night_from"]) | (hour < p["night_to"])).fillna(False)
    k = night.groupby(pay["s"]).sum()
    ok = (n >= p["min_payments"]) & (k / n >= p["min_share"])
    add("sender", k[ok], "R6")
    # R7
    p = rules["R7"]
    pattern = r"\b(?:" + "|".join(re.escape(t) for t in p["terms"]) + r")\b"
    flagged = pay[pay["reference"].fillna("").str.contains(pattern, flags=re.IGNORECASE, regex=True)]
    k = flagged.groupby("s").size()
    add("sender", k[k >= p["min_payments"]], "R7")
    # R8
    p = rules["R8"]
    windows = p["windows"]
    for party, part in g:
        if len(part) < p["min_payments"]:
            continue
        t = part["time_utc"]
        span = (t.max() - t.min()).total_seconds() or 1.0
        bucket = np.minimum(windows - 1, ((t - t.min()).dt.total_seconds() / span * windows).astype(int))
        per = part.groupby(bucket.to_numpy())["amount_eur"].agg(["size", "median"])
        if len(per) == windows:
            c, m = list(per["size"]), list(per["median"])
            if c == sorted(c) and c[-1] > c[0] and m == sorted(m) and m[-1] > m[0]:
                hits.append(["sender", party, "R8", len(part)])
    # R9
    seed_entities = {find(f"phone:{s}") for s in inputs["seeds"] if f"phone:{s}" in known}
    pairs = df[["s", "r"]].drop_duplicates()
    graph: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for s, r in pairs.itertuples(index=False):
        graph[s].add(("r", r))
        graph[r].add(("s", s))
    hops = {e: 0 for e in seed_entities}
    role_of: dict[str, str] = {}
    queue = deque(seed_entities)
    while queue:
        node = queue.popleft()
        if hops[node] >= rules["R9"]["max_hops"]:
            continue
        for kind, other in graph.get(node, ()):
            if other not in hops:
                hops[other] = hops[node] + 1
                role_of[other] = "receiver" if kind == "r" else "sender"
                queue.append(other)
    for party, distance in hops.items():
        if distance:
            hits.append([role_of[party], party, "R9", 1])
    # R10
    evidence = {e[0] for e in inputs["evidence"]}
    counts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for side, key in (("sender", "s"), ("receiver", "r")):
        for kind in KINDS:
            match = df[df[f"{side}_{kind}"].isin(evidence)]
            for party, txn in zip(match[key], match["txn_id"], strict=True):
                counts[(side, party)].add(txn)
    for (side, party), txns in counts.items():
        hits.append([side, party, "R10", len(txns)])
    # R11
    p = rules["R11"]
    crypto = df[(df["channel"] == "crypto") & (df["amount_eur"] <= p["max_eur"]) &
                (df["receiver_wallet"].isin(p["addresses"]) | df["receiver_account"].isin(p["addresses"]))]
    k = crypto.groupby("s").size()
    add("sender", k[k >= p["min_payments"]], "R11")
    # R14 family-like: most payments to the sender's few main recipients (its most paid), each exclusive
    p = rules["R14"]
    per_r = pay.groupby("r")["s"].nunique()
    main = pay.groupby(["s", "r"]).size().rename("n").reset_index()
    main = main.sort_values(["s", "n", "r"], ascending=[True, False, True], kind="stable")
    main = main[main.groupby("s").cumcount() < p["max_recipients"]]
    family = main[main["r"].map(per_r) <= p["max_senders_per_recipient"]].groupby("s")["n"].sum()
    family = family.reindex(n.index, fill_value=0)
    gap = pay.groupby("s")["time_utc"].diff().dt.total_seconds() / 86400
    t = pay.assign(gap=gap).groupby("s")
    span = (t["time_utc"].max() - t["time_utc"].min()).dt.total_seconds() / 86400
    cv = (t["gap"].std() / t["gap"].mean().replace(0, np.nan)).fillna(0)
    ok = ((n >= p["min_payments"]) & (family >= p["min_share"] * n) & (span >= p["min_days"])
          & (cv <= p["max_gap_variation"]))
    add("sender", n[ok], "R14")
    # R15 payroll-like
    p = rules["R15"]
    pair_gap = pay.sort_values(["s", "r", "time_utc"]).groupby(["s", "r"])["time_utc"].diff().dt.total_seconds()
    pr = pay.assign(gap=pair_gap / 86400).groupby(["s", "r"])
    per = pd.DataFrame({"n": pr.size(), "mg": pr["gap"].median(), "m": pr["amount_eur"].median(),
                        "spread": pr["amount_eur"].max() / pr["amount_eur"].min().replace(0, np.nan)})
    good = per[(per["n"] >= p["min_payments_each"]) & per["mg"].between(p["min_gap_days"], p["max_gap_days"])
               & (per["spread"] <= p["max_amount_spread"]) & (per["m"] >= p["min_median_eur"])]
    who = good.groupby(level="s")["n"].agg(["size", "sum"])
    add("sender", who.loc[who["size"] >= p["min_recipients"], "sum"], "R15")
    # R16 micro-payments and R17 shops
    p = rules["R16"]
    by_receiver = pay.groupby("r")
    shop_set = _shops(pay, p)
    to_shop = pay["r"].isin(shop_set).groupby(pay["s"]).sum()
    ok = (n >= p["min_payments"]) & ((g["amount_eur"].median() < p["below_eur"]) | (to_shop > 0.5 * n))
    add("sender", n[ok], "R16")
    add("receiver", by_receiver.size()[by_receiver.size().index.isin(shop_set)], "R17")
    return hits


def _shops(pay: Any, p: dict[str, Any]) -> set[str]:
    """Receivers paid by many senders at a median below a session's price (R16's parameters)."""
    per = pay.groupby("r").agg(senders=("s", "nunique"), median=("amount_eur", "median"))
    return set(per.index[(per["senders"] >= p["shop_min_senders"]) & (per["median"] < p["below_eur"])])


def _effective(rules: set[str], weights: dict[str, float]) -> dict[str, float]:
    """What each fired rule gives a party: nothing when set aside, nothing when a standing counter-indicator
    explains it, its weight otherwise."""
    standing = {r for r in rules if not SET_ASIDE.get(r, set()) & rules}
    explained = {e for r in standing for e in EXPLAINS.get(r, ())}
    return {r: 0.0 if SET_ASIDE.get(r, set()) & rules or (r in explained and weights[r] > 0) else weights[r]
            for r in rules}


def _flagged(hits: list[list[Any]], weights: dict[str, float], flag_score: float) -> set[str]:
    """Senders flagged by the ranking's own sum after stage 1 (two rules that gave points, the threshold reached)
    and with no standing counter-indicator."""
    fired: dict[str, set[str]] = defaultdict(set)
    for role, party, rule, _ in hits:
        if role == "sender":
            fired[party].add(rule)
    out = set()
    for party, rules in fired.items():
        given = _effective(rules, weights)
        if (sum(given.values()) >= flag_score and sum(v > 0 for v in given.values()) >= 2
                and not any(v < 0 for v in given.values())):
            out.add(party)
    return out


def _network_payments(pay: Any, hits: list[list[Any]], p16: dict[str, Any]) -> Any:
    """The payments the network rules read: less those to shops and to receivers that mostly micro-payers (R16)
    pay while their own median payment stays below a session's price."""
    import numpy as np

    micro = {party for _, party, rule, _ in hits if rule == "R16"}
    payers = pay[["s", "r"]].drop_duplicates()
    share = payers.assign(m=payers["s"].isin(micro)).groupby("r")["m"].agg(["sum", "size"])
    cheap = pay.groupby("r")["amount_eur"].median() < p16["below_eur"]
    share = share[cheap.reindex(share.index, fill_value=False)]
    micro_sold = set(share.index[share["sum"] >= np.maximum(2, 0.5 * share["size"])])
    return pay[~pay["r"].isin(_shops(pay, p16) | micro_sold)]


def _stage2(net: Any, flagged_set: set[str], rules: dict[str, Any],
            links: list[tuple[str, str]]) -> list[list[Any]]:
    """R12, R13, R19 over the network payments (`_network_payments`), reading who stage 1 flags."""
    found: list[list[Any]] = []
    # R12: receivers whose payers include enough flagged senders
    p = rules["R12"]
    senders_of = net.groupby("r")["s"].nunique()
    is_flagged = net["s"].isin(flagged_set)
    flagged_of = net[is_flagged].groupby("r")["s"].nunique().reindex(senders_of.index, fill_value=0)
    ok = (flagged_of >= p["min_flagged_senders"]) & (flagged_of >= p["min_flagged_share"] * senders_of)
    for r, count in net[is_flagged & net["r"].isin(set(ok[ok].index))].groupby("r").size().items():
        found.append(["receiver", r, "R12", int(count)])
    found += _r13(net, flagged_set, senders_of, flagged_of, rules["R13"])
    found += _r19(net, rules["R19"], links)
    return found


def _r13(net: Any, flagged_set: set[str], senders_of: Any, flagged_of: Any, p: dict[str, Any]) -> list[list[Any]]:
    """Senders paying a receiver that enough other flagged senders pay, the way they pay it: at a median no more
    than `max_amount_ratio` times the flagged others' median there, and with at least `min_in_period` of the
    payments lying within `slack_days` of some flagged other's payment to that receiver."""
    import pandas as pd

    slack = pd.Timedelta(days=int(p["slack_days"]))
    pairs = net.groupby(["s", "r"])["amount_eur"].agg(["size", "median"]).reset_index()
    pairs["self"] = pairs["s"].isin(flagged_set)
    pairs["others"] = pairs["r"].map(flagged_of) - pairs["self"].astype(int)
    pairs["senders"] = pairs["r"].map(senders_of)
    cand = pairs[(pairs["others"] >= p["min_flagged_senders"])
                 & (pairs["others"] >= p["min_flagged_share"] * pairs["senders"])]
    flagged_pay = net.loc[net["s"].isin(flagged_set), ["s", "r", "time_utc", "amount_eur"]]
    # the flagged others' payments to the receiver, for each candidate pair (its own left out)
    theirs = cand[["s", "r"]].merge(flagged_pay, on="r", suffixes=("", "_other"))
    theirs = theirs[theirs["s_other"] != theirs["s"]]
    price = theirs.groupby(["s", "r"])["amount_eur"].median().rename("their_median")
    cand = cand.join(price, on=["s", "r"])
    cand = cand[cand["median"] <= float(p["max_amount_ratio"]) * cand["their_median"]]
    if cand.empty:
        return []
    mine = net[["s", "r", "time_utc"]].merge(cand[["s", "r", "size"]], on=["s", "r"])
    mine["payment"] = range(len(mine))
    near = mine.merge(theirs[["s", "r", "time_utc"]].rename(columns={"time_utc": "t_other"}), on=["s", "r"])
    near = near[(near["t_other"] - near["time_utc"]).abs() <= slack]
    inside = near.drop_duplicates("payment").groupby(["s", "r"]).size()
    cand = cand.join(inside.rename("inside"), on=["s", "r"]).fillna({"inside": 0})
    alike = cand[cand["inside"] >= float(p["min_in_period"]) * cand["size"]]
    return [["sender", s, "R13", int(c)] for s, c in alike.groupby("s")["size"].sum().items()]


def _r19(net: Any, p: dict[str, Any], links: list[tuple[str, str]]) -> list[list[Any]]:
    """Receivers whose payers (senders with few recipients) move on to another receiver while the first goes
    quiet: the movers are a fair share of its payers in its last active weeks, and nobody pays it much later."""
    import pandas as pd

    spans = net.groupby(["s", "r"])["time_utc"].agg(["min", "max", "size"]).reset_index()
    last_any = spans.groupby("r")["max"].max()
    recent = spans[spans["max"] >= spans["r"].map(last_any) - pd.Timedelta(days=int(p["active_days"]))]
    active = recent.groupby("r").size()
    few = spans[spans.groupby("s")["r"].transform("size") <= p["max_recipients"]]
    moves = few.merge(few, on="s", suffixes=("_a", "_b"))
    moves = moves[(moves["r_a"] != moves["r_b"]) & (moves["min_b"] > moves["max_a"])
                  & (moves["min_b"] <= moves["max_a"] + pd.Timedelta(days=int(p["max_gap_days"])))]
    per_link = moves.assign(paid=moves["size_a"] + moves["size_b"]).groupby(["r_a", "r_b"]).agg(
        movers=("s", "nunique"), paid=("paid", "sum"), moved=("min_b", "max")).reset_index()
    per_link = per_link[(per_link["movers"] >= p["min_movers"])
                        & (per_link["r_a"].map(last_any) <= per_link["moved"] + pd.Timedelta(days=int(p["quiet_days"])))
                        & (per_link["movers"] >= float(p["min_mover_share"]) * per_link["r_a"].map(active))]
    found: list[list[Any]] = []
    for ra, rb, paid in per_link[["r_a", "r_b", "paid"]].itertuples(index=False):
        found += [["receiver", rb, "R19", int(paid)], ["receiver", ra, "R19", int(paid)]]
        links.append((ra, rb))
    return found


def _stage3(df: Any, net: Any, flagged_set: set[str], hits: list[list[Any]],
            rules: dict[str, Any]) -> list[list[Any]]:
    """R18: receivers of onward payments (any country) from R12's receivers, other than those receivers, made
    once a flagged sender's money had reached the collector, to payees that few unflagged outsiders pay."""
    p = rules["R18"]
    collectors = {party for _, party, rule, _ in hits if rule == "R12"}
    arrived = net[net["r"].isin(collectors) & net["s"].isin(flagged_set)].groupby("r")["time_utc"].min()
    onward = df[df["s"].isin(collectors) & (df["r"] != df["s"]) & ~df["r"].isin(collectors)]
    onward = onward[onward["time_utc"] >= onward["s"].map(arrived)]
    outsiders = df[df["r"].isin(set(onward["r"])) & ~df["s"].isin(collectors) & ~df["s"].isin(flagged_set)]
    busy = outsiders.groupby("r")["s"].nunique()
    onward = onward[~onward["r"].isin(set(busy.index[busy >= p["max_other_senders"]]))]
    counts = onward.groupby("r").size()
    return [["receiver", r, "R18", int(c)] for r, c in counts[counts >= p["min_payments"]].items()]


def _rank(hits: list[list[Any]], links: list[tuple[str, str]],
          weights: dict[str, float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows best first per side: R19-linked receivers make one row named by its best account; every rule counts
    once per row, with the set-aside and explained rules at zero."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(("receiver", a)), find(("receiver", b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    fired: dict[tuple[str, str], set[str]] = defaultdict(set)
    for role, party, rule, _ in hits:
        fired[(role, party)].add(rule)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key in fired:
        groups[find(key)].append(key)

    def points(rules: set[str]) -> float:
        return sum(_effective(rules, weights).values())

    out: dict[str, list[dict[str, Any]]] = {"sender": [], "receiver": []}
    for members in groups.values():
        role = members[0][0]
        own = {party: points(fired[(role, party)]) for _, party in members}
        name = min(own, key=lambda q: (-own[q], q))
        score = round(points(set().union(*(fired[m] for m in members))), 3)
        out[role].append({"role": role, "entity": name, "score": score, "accounts": sorted(own)})
    for rows in out.values():
        rows.sort(key=lambda r: (-r["score"], r["entity"][len(r["entity"].split(":", 1)[0]) + 1:]
                                 if r["entity"].startswith(PREFIXES) else r["entity"]))
    return out["sender"], out["receiver"]
