"""An independent evaluation family for winnow's payment ranking (issue #17, deliverable 1).

Written from published typologies, not from `winnow.payments.generator` (whose code, rules, scoring and benchmark
were deliberately not read while writing this): the only winnow interfaces used are the import formats a user feeds
(a money-transfer-operator CSV through a column mapping), `payments score` and its JSON shape. Each seed draws its
own parameters (`generator.draw_params`), so a ranking tuned on seeds 0-4 (TRAINING) is judged on seeds 100-104
(HELD-OUT), which must never be used to tune anything.

Sources (publications cited by name; the behaviours are described here in our own words, from memory of them, no
figures copied):
- AUSTRAC, "Combating the sexual exploitation of children for financial gain" (financial crime guide): low-value
  transfers through remittance services and payment platforms to the Philippines and other South-East Asian
  countries; several unrelated beneficiaries; frequency rising over time; generic or cover descriptions ("help",
  "school", "food"); payments inconsistent with a customer's profile.
  -> buyers sending small amounts to several recipients, cover references, escalation.
- Australian Institute of Criminology, Brown, Napier & Smith, "Australians who view live streaming of child sexual
  abuse: an analysis of financial transactions" (Trends & issues no. 589, 2020), and related AIC work: offenders'
  spending tends to increase in frequency and amount over the period studied; payments are mostly small and go to
  a handful of facilitators in the Philippines.
  -> `escalating` buyers (amount x2-4 and intervals shrinking); `subtle` buyers (2-3 payments in a few weeks) are
  our assumption of the low end of that distribution (the hardest case: only the shared facilitator reveals them).
- FATF, report on the financial flows linked to online child sexual exploitation (2025): live-streamed abuse paid
  per session through MTOs, e-wallets and instant payments; facilitators (often relatives) receiving from many
  foreign customers, using several accounts, SIMs and third parties' identities (money mules, collectors) to
  spread and hide receipts.
  -> facilitators whose receiving identity rotates every few weeks (a relative's name on a new SIM/wallet, the own
  name recorded differently, or an unrelated account holder; sometimes one identifier carried over), collectors who
  receive on their behalf and forward the pooled money domestically within days, keeping a cut.
- FINTRAC, operational alert on laundering the proceeds of online child sexual exploitation: small, frequent
  transfers to the Philippines/South-East Asia, often at unusual hours, no apparent relationship, recipients
  receiving from several unrelated senders in Canada and abroad.
  -> `bursty` buyers (several payments within hours, then weeks of nothing), buyers paying at night in their own
  zone or timed to the facilitator's evening.
- Anti-Money Laundering Council (Philippines), studies of suspicious transaction reports on online sexual
  exploitation of children (2020 and the follow-up): small remittances mainly from the US, UK, Australia, Canada
  and Europe; beneficiaries receiving from many foreign senders; growing use of e-wallets; facilitators using
  multiple identities and relatives.
  -> sender countries, PH receivers paid in cash pickup / e-wallet / bank, e-wallet ids that are SIM numbers.

The hard negatives each share one axis with the buyers or facilitators (common knowledge of remittance corridors):
diaspora families (regular paydays, one to three stable recipients, a long history; some on night shifts, some
sending small weekly amounts; a few whose relative is a facilitator's identity), payroll to Philippine virtual
assistants (fan-out to unrelated recipients, churn), freelance clients (one job: a deposit and a final payment
to a new recipient), donors (many unrelated foreign senders to one foundation, a burst after a typhoon appeal),
game-credit top-ups (small, bursty, at night, to e-wallets that change), tuition (cover-like references,
"school fees"), and plain background (other corridors, domestic, one-off payments to PH businesses).

Where this family differs from a naive generator (on purpose):
- times are placed in the sender's own zone (Perth, Los Angeles, Vancouver are not the capital's zone), then
  written in UTC as operators export them; buyers pay at night, in their evening, in the day, or timed to Manila's
  evening; diaspora night-shift workers and payroll batches pay at night too;
- amounts are typed in the sender's currency: a round figure, or a round PHP payout the recipient asked for (so
  the sent amount has cents), or a converted value; family remittances are larger but "small" families overlap
  session prices;
- a buyer's recipients rotate because the facilitator rotates, not because the buyer looks for new ones; a buyer may
  register a second customer number (linked by phone half the time); some buyers also send a genuine monthly
  remittance;
- one-off subtle buyers have nothing but two or three payments to a facilitator shared with other buyers;
- receivers shared by many foreign senders are common among legitimate parties (foundations, resellers, resorts);
- ids carry no role: customer numbers and wallets are random, transaction numbers follow time order, rows are
  sorted by time; the labels live in `labels.json`, never in the imported file;
- dirty data: duplicated rows, missing phones and countries, national/spaced phone formats, name variants, a few
  unusable amounts (stored as import errors by winnow).
One change after the first measurement, made for realism and not for the score: game-credit buyers were first
drawn at 800-2,000 senders with 5-40 EUR top-ups; remittances are a minor way to buy game credit and typical
top-ups are a few euros, so they became 300-900 senders with 2-25 EUR top-ups. Two fixes followed before the
measurement in docs/payments.md, neither about the score: VA payroll no longer writes the reference "payroll"
(a label word: the test that labels never reach the export must stay strict), and mobile numbers are drawn until
libphonenumber calls them valid (2 % were in unallocated ranges, which winnow rightly drops). Nothing else was
changed after seeing a ranking.
"""
