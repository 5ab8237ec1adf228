"""HTML/CSS mock-ups of real screens for the realistic call-detector evaluation (issue #16, part 4).

Written without looking at `winnow.sample.calls` (the generator the detector was tuned on) or at the detector's
internals: every page is a plain web page that Chromium lays out and renders, with real photographs that packages
ship (scikit-image, matplotlib) as the "camera" pictures. Each page defines `render(t)` (t in seconds) that moves the
camera pictures a little (pan, zoom, hand-held jitter, sensor noise on a canvas), ticks a call timer, types text,
scrolls a feed — whatever that screen does while it is recorded.

Positives (recordings of a video call): desktop gallery grid, speaker view with a floating self view and a
filmstrip, a call in a browser tab, a call with a chat panel, a call window floating over a desktop, a phone call in
portrait, a phone group call. Negatives: a text editor, a spreadsheet, a file browser, a video-sharing site playing a
talking-head video, a phone chat app, a phone social feed, TV news with a live inset (webcam-only recordings are
made in numpy by `calls_realistic.py`: they have no interface).

Nuisance variables (screen size, frame rate, variable timing, dark/light theme) are drawn per device, not per class.
"""

from __future__ import annotations

import random
from collections.abc import Callable

NAMES = ["Ana Reyes", "Marco B.", "Liza", "J. Okafor", "Mei Chen", "Tomasz", "Priya S.", "Jules", "Rafael", "Nadia K.",
         "Sam", "Elif Y."]
CSS = """
* { box-sizing: border-box; margin: 0; padding: 0; }
body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; overflow: hidden; width: 100vw; height: 100vh; }
.feed { position: relative; overflow: hidden; background: #222; }
.feed img { position: absolute; left: -8%; top: -8%; width: 116%; height: 116%; object-fit: cover;
  transform-origin: 50% 50%; }
.feed canvas { position: absolute; inset: 0; width: 100%; height: 100%; opacity: .10; mix-blend-mode: overlay; }
.name { position: absolute; left: 8px; bottom: 8px; color: #fff; background: rgba(0,0,0,.55); font-size: 13px;
  padding: 3px 8px; border-radius: 4px; }
.btn { display: inline-flex; align-items: center; justify-content: center; width: 44px; height: 44px;
  border-radius: 50%; background: #3c4043; color: #fff; font-size: 20px; margin: 0 6px; font-family: 'DejaVu Sans'; }
.btn.red { background: #d93025; width: 60px; border-radius: 22px; }
.lbl { display: inline-flex; flex-direction: column; align-items: center; color: #ddd; font-size: 11px; margin: 0 8px; }
.lbl span.i { font-size: 20px; font-family: 'DejaVu Sans'; margin-bottom: 2px; }
.titlebar { height: 30px; background: #e8e8e8; color: #333; font-size: 13px; display: flex; align-items: center;
  padding: 0 10px; border-bottom: 1px solid #ccc; }
.titlebar .dots span { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px; }
.dark .titlebar { background: #2b2b2b; color: #ccc; border-color: #111; }
.statusbar { height: 24px; font-size: 12px; display: flex; justify-content: space-between; padding: 4px 14px;
  color: #fff; font-weight: bold; }
"""
JS = """
let seed = 1;
function rnd() { seed = (seed * 16807) % 2147483647; return (seed - 1) / 2147483646; }
function pad(n) { return (n < 10 ? '0' : '') + n; }
function clock(s) { s = Math.floor(s); const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  return (h ? h + ':' + pad(m) : pad(m)) + ':' + pad(s % 60); }
function render(t) {
  seed = 1 + Math.floor(t * 1000);
  document.querySelectorAll('.feed').forEach((f, i) => {
    const a = parseFloat(f.dataset.amp || '1'), w = 0.3 + 0.17 * i, j = parseFloat(f.dataset.jit || '1');
    const x = a * 3 * Math.sin(w * t + i) + j * (rnd() - .5) * 2.5, y = a * 2 * Math.cos(0.8 * w * t + 2 * i)
      + j * (rnd() - .5) * 2.5;
    const z = 1 + 0.03 * a * Math.sin(0.21 * t + i);
    const img = f.querySelector('img'); if (img) img.style.transform = `translate(${x}%, ${y}%) scale(${z})`;
    const c = f.querySelector('canvas');
    if (c) { const g = c.getContext('2d'), d = g.createImageData(c.width, c.height);
      for (let k = 0; k < d.data.length; k += 4) { const v = rnd() * 255; d.data[k] = d.data[k+1] = d.data[k+2] = v;
        d.data[k+3] = 255; }
      g.putImageData(d, 0, 0); }
  });
  document.querySelectorAll('[data-clock]').forEach(e => { e.textContent = clock(parseFloat(e.dataset.clock) + t); });
  document.querySelectorAll('[data-type]').forEach(e => {
    const full = e.dataset.type, n = Math.min(full.length, Math.floor(t * parseFloat(e.dataset.cps || '6')));
    e.textContent = full.slice(0, n) + (Math.floor(t * 2) % 2 ? '|' : ''); });
  document.querySelectorAll('[data-scroll]').forEach(e => { e.style.transform =
    `translateY(${-parseFloat(e.dataset.scroll) * t}px)`; });
  document.querySelectorAll('[data-slide]').forEach(e => { e.style.transform =
    `translateX(${-parseFloat(e.dataset.slide) * t}px)`; });
  document.querySelectorAll('[data-appear]').forEach(e => {
    e.style.visibility = t >= parseFloat(e.dataset.appear) ? 'visible' : 'hidden'; });
  document.querySelectorAll('[data-bar]').forEach(e => { const [s, total] = e.dataset.bar.split('/').map(Number);
    e.style.width = (100 * (s + t) / total) + '%'; });
  document.querySelectorAll('[data-cell]').forEach(e => { const k = Math.floor(t * 1.5) % 6;
    e.style.top = (parseFloat(e.dataset.cell) + 22 * k) + 'px'; });
}
"""


PEOPLE = ("astronaut", "camera", "grace_hopper")


def person(rng: random.Random, photos: list[str], others: float = 0.2) -> str:
    """Mostly one of the photographs of a person (a camera in a call, a vlog or a newsroom points at people)."""
    people = [p for p in photos if any(name in p for name in PEOPLE)]
    return rng.choice(photos if rng.random() < others or not people else people)


def feed(photo: str, style: str = "", amp: float = 1.0, jitter: float = 1.0, noise: bool = True,
         name: str | None = None) -> str:
    """A live camera picture: a photograph that drifts, zooms, shakes and carries sensor noise."""
    canvas = '<canvas width="96" height="54"></canvas>' if noise else ""
    label = f'<div class="name">{name}</div>' if name else ""
    return (f'<div class="feed" data-amp="{amp}" data-jit="{jitter}" style="{style}"><img src="{photo}">{canvas}'
            f'{label}</div>')


def controls(rng: random.Random, labelled: bool, dark: bool = True) -> str:
    """A call's control bar: microphone, camera, share, chat, people, end; icons alone or with words."""
    items = [("\u266a", "Mute"), ("\u25a3", "Stop Video"), ("\u21e7", "Share Screen"), ("\u2709", "Chat"),
             ("\u263a", "Participants"), ("\u22ef", "More")]
    rng.shuffle(items)
    items = items[:rng.randint(3, 6)]
    if labelled:
        parts = [f'<div class="lbl"><span class="i">{i}</span>{w}</div>' for i, w in items]
        parts.append('<div class="lbl" style="color:#f66"><span class="i">\u260e</span>Leave</div>')
    else:
        parts = [f'<span class="btn">{i}</span>' for i, _ in items]
        parts.append('<span class="btn red">\u260e</span>')
    return "".join(parts)


def timer(rng: random.Random) -> str:
    return f'<span data-clock="{rng.randint(20, 3000)}">00:00</span>'


def call_grid(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    n = rng.choice([2, 3, 4, 4, 6, 9])
    cols = {2: 2, 3: 3, 4: 2, 6: 3, 9: 3}[n]
    rows = (n + cols - 1) // cols
    names = rng.sample(NAMES, n)
    gap = rng.choice([2, 6, 10])
    tiles = "".join(feed(person(rng, photos, .4), f"border-radius:{rng.choice([0, 8])}px;"
                         + ("outline:3px solid #7cf;" if i == 0 and rng.random() < .5 else ""),
                         amp=rng.uniform(.4, 1.2), name=names[i]) for i in range(n))
    top = (f'<div style="height:36px;color:#ddd;font-size:14px;display:flex;align-items:center;gap:16px;'
           f'padding:0 14px">{rng.choice(["Weekly sync", "Family", "Team standup", "Meeting"])}'
           + (f' <span style="color:#aaa">{timer(rng)}</span>' if rng.random() < .6 else "") + '</div>')
    bar = (f'<div style="height:64px;display:flex;align-items:center;justify-content:center;background:#1c1c1e">'
           f'{controls(rng, rng.random() < .5)}</div>')
    return (f'<body style="background:#202124">{top}<div style="display:grid;grid-template-columns:repeat({cols},1fr);'
            f'grid-template-rows:repeat({rows},1fr);gap:{gap}px;padding:{gap}px;height:calc(100vh - 100px)">'
            f'{tiles}</div>{bar}</body>')


def call_speaker(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    main, me = person(rng, photos), person(rng, photos)
    iw = int(w * rng.uniform(.16, .24))
    corner = rng.choice(["right:16px;bottom:80px", "right:16px;top:16px", "left:16px;bottom:80px"])
    strip = ""
    if rng.random() < .5:
        strip = ('<div style="position:absolute;top:8px;left:50%;transform:translateX(-50%);display:flex;gap:6px">'
                 + "".join(feed(p, "width:110px;height:64px;border-radius:6px", amp=.5) for p in
                           rng.sample(photos, 3)) + "</div>")
    bar = ""
    if rng.random() < .75:  # many apps hide the controls until the mouse moves
        bar = ('<div style="position:absolute;bottom:12px;left:50%;transform:translateX(-50%);background:'
               'rgba(30,30,30,.85);border-radius:28px;padding:6px 14px;display:flex;align-items:center">'
               + controls(rng, False) + (f'<span style="color:#fff;font-size:13px;margin-left:10px">'
                                         f'{timer(rng)}</span>' if rng.random() < .6 else "") + '</div>')
    self_view = feed(me, f"position:absolute;{corner};width:{iw}px;height:{int(iw * .5625)}px;border-radius:10px;"
                     "border:2px solid #fff;box-shadow:0 2px 8px #000", amp=1.5, jitter=2, name="You")
    big = feed(main, "position:absolute;inset:0", amp=1, name=rng.choice(NAMES))
    return f'<body style="background:#000">{big}{strip}{self_view}{bar}</body>'


def browser_chrome(rng: random.Random, url: str, tab: str) -> str:
    return ('<div style="height:34px;background:#dee1e6;display:flex;align-items:flex-end;padding-left:8px">'
            f'<div style="background:#fff;padding:7px 14px;border-radius:8px 8px 0 0;font-size:12px;width:220px">{tab}'
            '</div><div style="padding:7px 14px;font-size:12px;color:#555">New Tab</div></div>'
            '<div style="height:36px;background:#fff;display:flex;align-items:center;padding:0 10px;gap:10px;'
            'border-bottom:1px solid #ddd;font-size:13px;color:#444"><span>\u2190 \u2192 \u21bb</span>'
            f'<div style="flex:1;background:#f1f3f4;border-radius:14px;padding:5px 12px">{url}</div>'
            '<span>\u2630</span></div>')


def call_browser(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(10))
    a, b = person(rng, photos), person(rng, photos)
    names = rng.sample(NAMES, 2)
    side = rng.random() < .5
    if side:
        tiles = feed(a, "flex:1;border-radius:8px", name=names[0]) + feed(b, "flex:1;border-radius:8px", name=names[1])
        body = ('<div style="display:flex;gap:8px;padding:8px;height:calc(100vh - 70px - 72px);background:#202124">'
                f'{tiles}</div>')
    else:
        tiles = (feed(a, "position:absolute;inset:8px;border-radius:8px", name=names[0])
                 + feed(b, "position:absolute;right:20px;bottom:20px;width:22%;height:24%;border-radius:8px",
                        amp=1.5, jitter=2, name="You"))
        body = f'<div style="position:relative;height:calc(100vh - 70px - 72px);background:#202124">{tiles}</div>'
    clock_html = (f'<span style="color:#ddd;font-size:13px;margin-right:18px">{timer(rng)} | {code[:3]}-{code[3:7]}'
                  '</span>' if rng.random() < .5 else "")
    return (f'<body style="background:#202124">{browser_chrome(rng, f"https://meet.example.org/{code}", "Meet - call")}'
            f'{body}<div style="height:72px;display:flex;align-items:center;justify-content:center">{clock_html}'
            f'{controls(rng, False)}</div></body>')


def call_chat_panel(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    msgs = ["can you hear me?", "yes, loud and clear", "sharing the doc now", "one sec", "ok",
            "my camera is slow today", "let's start", "thanks!"]
    chat = "".join(f'<div style="margin:8px 0;font-size:12px;color:#222"><b>{rng.choice(NAMES)}</b> '
                   f'<span style="color:#888">{rng.randint(10, 12)}:{rng.randint(10, 59)}</span><br>{m}</div>'
                   for m in rng.sample(msgs, 5))
    n = rng.choice([1, 2, 4])
    tiles = "".join(feed(person(rng, photos), "border-radius:6px", name=rng.choice(NAMES)) for _ in range(n))
    cols = 1 if n == 1 else 2
    return (f'<body style="background:#f3f2f1;display:flex;flex-direction:column">'
            f'<div style="height:48px;background:#fff;display:flex;align-items:center;justify-content:space-between;'
            f'padding:0 16px;font-size:14px;border-bottom:1px solid #ddd"><span>Project call '
            f'{timer(rng) if rng.random() < .7 else ""}</span><span>{controls(rng, True, False)}</span></div>'
            f'<div style="flex:1;display:flex"><div style="flex:1;display:grid;'
            f'grid-template-columns:repeat({cols},1fr);gap:6px;padding:6px;background:#292929">{tiles}</div>'
            f'<div style="width:28%;background:#fff;padding:12px;'
            f'border-left:1px solid #ddd"><div style="font-weight:bold;margin-bottom:8px">Meeting chat</div>{chat}'
            f'<div style="position:absolute;bottom:12px;width:24%;border:1px solid #ccc;border-radius:4px;'
            f'padding:6px;font-size:12px;color:#999">Type a message</div></div></div></body>')


def editor_text(rng: random.Random) -> str:
    lines = ["def load(path):", "    with open(path) as f:", "        return json.load(f)", "", "class Report:",
             "    def __init__(self, rows):", "        self.rows = rows", "    def total(self):",
             "        return sum(r.amount for r in self.rows)", "", "if __name__ == '__main__':",
             "    print(Report(load('data.json')).total())"]
    rng.shuffle(lines)
    return "\n".join(lines)


def desktop_window(rng: random.Random, title: str, inner: str, dark: bool) -> str:
    return (f'<div class="{"dark" if dark else ""}" style="position:absolute;left:4%;top:5%;width:92%;height:88%;'
            f'background:{"#1e1e1e" if dark else "#fff"};box-shadow:0 4px 20px rgba(0,0,0,.5);border-radius:6px;'
            f'overflow:hidden"><div class="titlebar"><span class="dots"><span style="background:#ff5f57"></span>'
            f'<span style="background:#febc2e"></span><span style="background:#28c840"></span></span>{title}</div>'
            f'{inner}</div>')


def wallpaper(rng: random.Random, photos: list[str]) -> str:
    return (f'<img src="{rng.choice(photos)}" style="position:absolute;inset:0;width:100%;height:100%;'
            f'object-fit:cover;filter:blur(2px)">'
            '<div style="position:absolute;bottom:0;width:100%;height:36px;background:rgba(20,20,20,.85);color:#eee;'
            'font-size:12px;display:flex;align-items:center;justify-content:flex-end;padding:0 12px">'
            f'{rng.randint(8, 18)}:{rng.randint(10, 59)}</div>')


def call_floating(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    a, b = person(rng, photos), person(rng, photos)
    behind = desktop_window(rng, "notes.txt", f'<pre style="padding:12px;font-size:13px">{editor_text(rng)}</pre>',
                            False)
    small = feed(b, "position:absolute;right:10px;bottom:66px;width:26%;height:26%;border-radius:6px;"
                    "border:1px solid #888", amp=1.6, jitter=2)
    win = (f'<div style="position:absolute;left:{rng.randint(15, 35)}%;top:{rng.randint(8, 18)}%;width:55%;'
           f'height:70%;background:#111;border-radius:8px;overflow:hidden;box-shadow:0 6px 30px #000">'
           f'<div class="titlebar" style="background:#333;color:#ddd">Video call - {rng.choice(NAMES)} '
           f'&nbsp;{timer(rng) if rng.random() < .6 else ""}</div>'
           f'{feed(a, "position:absolute;top:30px;left:0;right:0;bottom:56px")}{small}'
           f'<div style="position:absolute;bottom:0;height:56px;width:100%;display:flex;align-items:center;'
           f'justify-content:center">{controls(rng, False)}</div></div>')
    return f'<body>{wallpaper(rng, photos)}{behind}{win}</body>'


def phone_status(rng: random.Random, dark_text: bool = False) -> str:
    color = "#111" if dark_text else "#fff"
    return (f'<div class="statusbar" style="color:{color}"><span>{rng.randint(7, 22)}:{rng.randint(10, 59)}</span>'
            f'<span>\u25b2 {rng.randint(20, 99)}%</span></div>')


def call_mobile(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    a, b = person(rng, photos), person(rng, photos)
    corner = rng.choice(["top:70px;right:12px", "bottom:140px;right:12px", "top:70px;left:12px"])
    show = rng.random() < .8
    top = (f'<div style="position:absolute;top:30px;width:100%;text-align:center;color:#fff;font-size:17px;'
           f'text-shadow:0 1px 3px #000">{rng.choice(NAMES)}<br><span style="font-size:13px">'
           f'{timer(rng) if rng.random() < .75 else "Video call"}</span></div>' if show else "")
    buttons = ("".join(f'<span class="btn" style="width:56px;height:56px;background:rgba(255,255,255,.25)">{i}</span>'
                       for i in rng.sample(["\u266a", "\u25a3", "\u21bb", "\u2699"], rng.randint(2, 3)))
               + '<span class="btn red" style="width:56px;height:56px;border-radius:50%">\u260e</span>')
    bottom = (f'<div style="position:absolute;bottom:36px;width:100%;display:flex;justify-content:center">'
              f'{buttons}</div>' if show else "")
    return (f'<body style="background:#000">{feed(a, "position:absolute;inset:0", amp=1.3)}{phone_status(rng)}'
            f'{feed(b, f"position:absolute;{corner};width:28%;height:20%;border-radius:12px", amp=1.8, jitter=2)}'
            f'{top}{bottom}</body>')


def call_mobile_group(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    tiles = "".join(feed(person(rng, photos, .4), "border-radius:10px", name=rng.choice(NAMES)) for _ in range(4))
    return (f'<body style="background:#111">{phone_status(rng)}<div style="color:#fff;text-align:center;'
            f'font-size:14px;padding:6px">{rng.choice(["Family", "Group call", "Study group"])} &middot; '
            f'{timer(rng)}</div><div style="display:grid;grid-template-columns:1fr 1fr;grid-template-rows:1fr 1fr;'
            f'gap:6px;padding:6px;height:calc(100vh - 150px)">{tiles}</div><div style="display:flex;'
            f'justify-content:center;padding-top:14px">{controls(rng, False)}</div></body>')


def editor(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    dark = rng.random() < .5
    fg = "#d4d4d4" if dark else "#222"
    pre = (f'<div style="display:flex;height:100%"><div style="width:18%;background:{"#252526" if dark else "#f3f3f3"};'
           f'color:{fg};font-size:12px;padding:8px;line-height:20px">src<br>&nbsp;app.py<br>&nbsp;report.py<br>tests'
           f'<br>README.md</div><pre style="flex:1;color:{fg};font:13px \'DejaVu Sans Mono\';padding:10px;'
           f'line-height:19px">{editor_text(rng)}\n\n<span data-type="    # totals per month, then write the summary'
           f'" data-cps="{rng.uniform(5, 12):.1f}"></span></pre></div>')
    return f'<body>{wallpaper(rng, photos)}{desktop_window(rng, "report.py - Editor", pre, dark)}</body>'


def spreadsheet(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    cols = "ABCDEFGHIJ"
    head = "".join(f'<th style="width:90px;background:#eee;border:1px solid #ccc;font-weight:normal">{c}</th>'
                   for c in cols)
    rows = "".join(f'<tr><td style="background:#eee;border:1px solid #ccc;text-align:center">{r}</td>'
                   + "".join(f'<td style="border:1px solid #ddd;padding:0 4px">'
                             f'{rng.randint(10, 9999) if rng.random() < .7 else ""}</td>' for _ in cols) + "</tr>"
                   for r in range(1, 30))
    sheet = (f'<div style="background:#f8f8f8;padding:6px 10px;font-size:12px;border-bottom:1px solid #ddd">File  Edit'
             f'  View  Insert  Format  Data &nbsp;&nbsp; <span data-type="=SUM(B2:B{rng.randint(9, 30)})" data-cps="4">'
             f'</span></div><div style="position:relative"><table style="border-collapse:collapse;font-size:12px;'
             f'line-height:21px"><tr><th></th>{head}</tr>{rows}</table><div data-cell="22" style="position:absolute;'
             f'left:{30 + 90 * rng.randint(0, 5)}px;width:90px;height:22px;border:2px solid #1a73e8"></div></div>')
    return f'<body>{wallpaper(rng, photos)}{desktop_window(rng, "budget.xlsx", sheet, False)}</body>'


def file_browser(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    files = [f"{n}.{e}" for n, e in zip(["notes", "invoice", "holiday", "scan", "draft", "photo", "backup", "report",
                                         "budget", "music", "video", "todo", "plan", "map", "letter", "cv"],
                                        rng.choices(["pdf", "jpg", "docx", "txt", "zip", "png"], k=16), strict=True)]
    icons = "".join('<div style="width:96px;height:92px;text-align:center;font-size:11px;margin:6px">'
                    + (f'<img src="{rng.choice(photos)}" style="width:64px;height:48px;object-fit:cover">' if
                       f.endswith(("jpg", "png")) else '<div style="width:48px;height:56px;margin:0 auto;'
                       'background:#cfe3ff;border-radius:4px"></div>') + f'<br>{f}</div>' for f in files)
    inner = (f'<div style="display:flex;height:100%"><div style="width:20%;background:#f5f5f5;font-size:13px;'
             f'padding:10px;line-height:26px">Home<br>Desktop<br>Documents<br>Downloads<br>Pictures<br>Trash</div>'
             f'<div style="flex:1;overflow:hidden"><div data-scroll="{rng.uniform(4, 14):.1f}" style="display:flex;'
             f'flex-wrap:wrap;padding:10px">{icons}{icons}</div></div></div>')
    return f'<body>{wallpaper(rng, photos)}{desktop_window(rng, "Documents", inner, False)}</body>'


def video_site(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    total = rng.randint(180, 1500)
    start = rng.randint(5, total - 60)
    recs = "".join(f'<div style="display:flex;gap:8px;margin-bottom:10px"><img src="{rng.choice(photos)}" '
                   f'style="width:120px;height:68px;object-fit:cover;border-radius:6px"><div style="font-size:12px">'
                   f'How to {rng.choice(["bake bread", "fix a bike", "learn chess", "paint walls"])}<br>'
                   f'<span style="color:#777">{rng.randint(2, 900)}K views</span></div></div>' for _ in range(6))
    player = (f'<div style="position:relative;width:100%;aspect-ratio:16/9;background:#000">'
              f'{feed(person(rng, photos), "position:absolute;inset:0", amp=.8, jitter=.3, noise=False)}'
              f'<div style="position:absolute;bottom:0;width:100%;height:44px;background:linear-gradient(transparent,'
              f'rgba(0,0,0,.7))"><div style="height:3px;background:rgba(255,255,255,.3);margin:0 10px"><div '
              f'data-bar="{start}/{total}" style="height:3px;background:#f00"></div></div><div style="color:#fff;'
              f'font-size:13px;padding:8px 12px">\u25b6 &nbsp; \u266a &nbsp; <span data-clock="{start}"></span> / '
              f'{total // 60}:{total % 60:02d}</div></div></div>')
    return (f'<body style="background:#fff">{browser_chrome(rng, "https://videos.example.com/watch?v=Xk3", "Videos")}'
            f'<div style="display:flex;gap:20px;padding:16px 24px"><div style="flex:1">{player}<div style="font-size:'
            f'18px;margin-top:10px">My morning routine | vlog</div><div style="color:#666;font-size:13px">'
            f'{rng.randint(10, 999)}K views</div></div><div style="width:30%">{recs}</div></div></body>')


def phone_chat(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    msgs = ["hey!", "are you coming tonight?", "yes, at 8", "bring the charger pls", "ok \u263a", "see you",
            "running late", "no problem", "what's the address?", "sent it"]
    bubbles = "".join(f'<div data-appear="{k * 0.9:.1f}" style="max-width:70%;margin:6px 10px;padding:8px 12px;'
                      f'border-radius:16px;font-size:14px;{"margin-left:auto;background:#0b93f6;color:#fff" if k % 2 else "background:#e5e5ea"}">'  # noqa: E501
                      f'{m}</div>' for k, m in enumerate(rng.sample(msgs, 8)))
    return (f'<body style="background:#fff">{phone_status(rng, True)}<div style="height:56px;border-bottom:1px solid '
            f'#ddd;display:flex;align-items:center;gap:10px;padding:0 12px"><img src="{rng.choice(photos)}" '
            f'style="width:36px;height:36px;border-radius:50%;object-fit:cover"><b>{rng.choice(NAMES)}</b></div>'
            f'{bubbles}<div style="position:absolute;bottom:0;width:100%;padding:10px;border-top:1px solid #ddd;'
            f'color:#999;font-size:14px">Message</div></body>')


def phone_feed(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    posts = "".join(f'<div style="margin-bottom:12px"><div style="padding:8px;font-size:13px"><b>{rng.choice(NAMES)}'
                    f'</b> &middot; {rng.randint(1, 23)}h</div><img src="{rng.choice(photos)}" style="width:100%;'
                    f'height:{rng.randint(220, 380)}px;object-fit:cover"><div style="padding:6px 8px;font-size:13px">'
                    f'\u2661 {rng.randint(3, 900)} &nbsp; \u2709 {rng.randint(0, 90)}</div></div>' for _ in range(8))
    return (f'<body style="background:#fff">{phone_status(rng, True)}<div style="height:44px;font-size:20px;'
            f'font-weight:bold;padding:8px 12px;border-bottom:1px solid #eee">Feed</div><div style="overflow:hidden;'
            f'height:calc(100vh - 68px - 50px)"><div data-scroll="{rng.uniform(20, 70):.0f}">{posts}</div></div>'
            f'<div style="position:absolute;bottom:0;height:50px;width:100%;background:#fff;border-top:1px solid #eee;'
            f'display:flex;justify-content:space-around;align-items:center;font-size:20px">\u2302 \u2315 \u2295 '
            f'\u2661 \u263a</div></body>')


def tv_news(rng: random.Random, photos: list[str], w: int, h: int) -> str:
    anchor, remote = person(rng, photos), person(rng, photos)
    ticker = " &nbsp;&bull;&nbsp; ".join(["Markets close higher", "Rain expected on the coast tomorrow",
                                           "City council approves new bridge", "Local team wins the final",
                                           "Train services resume after repairs"])
    inset = (feed(remote, "position:absolute;right:4%;top:12%;width:38%;height:44%;border:3px solid #fff", amp=1.2,
                  jitter=1.5) + '<div style="position:absolute;right:4%;top:calc(12% + 44% + 3px);width:38%;'
             'background:#c00;color:#fff;font-size:12px;padding:2px 6px">LIVE &middot; '
             f'{rng.choice(["Harbour", "City Hall", "Airport"])}</div>') if rng.random() < .8 else ""
    return (f'<body style="background:#000">{feed(anchor, "position:absolute;inset:0", amp=.4, jitter=.2)}{inset}'
            f'<div style="position:absolute;left:0;bottom:54px;width:75%;background:rgba(0,40,110,.92);color:#fff;'
            f'padding:8px 16px;font-size:20px;font-weight:bold">{rng.choice(["Storm moves inland", "Election night"])}'
            f'<div style="font-size:13px;font-weight:normal">{rng.choice(NAMES)}, correspondent</div></div>'
            f'<div style="position:absolute;bottom:20px;width:100%;height:30px;background:#fff;overflow:hidden;'
            f'white-space:nowrap;font-size:15px;line-height:30px"><div data-slide="{rng.randint(40, 90)}">'
            f'{ticker} &nbsp;&bull;&nbsp; {ticker}</div></div><div style="position:absolute;left:20px;top:16px;'
            f'color:#fff;font-weight:bold;font-size:22px;background:rgba(200,0,0,.85);padding:2px 10px">NEWS 24</div>'
            f'<div style="position:absolute;right:20px;bottom:60px;color:#fff;font-size:15px;background:'
            f'rgba(0,0,0,.6);padding:2px 6px">{rng.randint(10, 23)}:{rng.randint(10, 59)}</div></body>')


Layout = Callable[[random.Random, list[str], int, int], str]
# family -> (label, device, builder)
LAYOUTS: dict[str, tuple[bool, str, Layout]] = {
    "call-grid": (True, "desktop", call_grid),
    "call-speaker": (True, "desktop", call_speaker),
    "call-browser": (True, "desktop", call_browser),
    "call-chat-panel": (True, "desktop", call_chat_panel),
    "call-floating": (True, "desktop", call_floating),
    "call-mobile": (True, "phone", call_mobile),
    "call-mobile-group": (True, "phone", call_mobile_group),
    "editor": (False, "desktop", editor),
    "spreadsheet": (False, "desktop", spreadsheet),
    "file-browser": (False, "desktop", file_browser),
    "video-site": (False, "desktop", video_site),
    "phone-chat": (False, "phone", phone_chat),
    "phone-feed": (False, "phone", phone_feed),
    "tv-news": (False, "tv", tv_news),
}
SIZES = {"desktop": [(1280, 720), (1024, 640), (1152, 720), (960, 540), (1280, 800)],
         "phone": [(360, 780), (390, 844), (412, 892), (360, 800)],
         "tv": [(960, 540), (1280, 720), (1024, 576)],
         "webcam": [(640, 480), (1280, 720), (960, 540)]}


def page(family: str, seed: int, photos: list[str], width: int, height: int) -> str:
    """The whole HTML document of one screen (photos are URLs the page can load)."""
    rng = random.Random(seed)
    body = LAYOUTS[family][2](rng, photos, width, height)
    return (f'<!doctype html><html><head><meta charset="utf-8"><style>{CSS}</style><script>{JS}</script></head>'
            f'{body}</html>')
