#!/usr/bin/python3
"""The web surface in headless Chromium, checked from the daemon's side: the
page loads without console errors and shows the terrain's picture, redrawn
when a terrain is loaded; a pen drag
with pressure moves voice 0 from left to right (as an OSC /notify subscriber
sees it) and sets its pressure (the output's pressure gain, on the demo's 2-D
terrain); two fingers sound two voices and lifting them releases both; a
drawn path plays as a gesture after the pen is lifted; a wrong token is
refused (the WebSocket handshake answers 403, and the page says so), as is
another site's page. The looper, grains and points: a drawn path recorded
as a loop plays on the loop's voice and the page lists and labels it; the
grain scanner shows as a cursor; a point stored by a tap becomes a pad that
moves voice 0 there (and goes when the point was cleared). Training: two drawn paths paired, /train/run with its
progress, and the trained terrain's picture. Labels: the instruments terrain's named places drawn
over its picture, hidden by the names switch.

Usage: web_checks.py OSC_PORT HTTP_PORT TOKEN [SCREENSHOT_DIR] (the daemon may still be
starting: the browser starts meanwhile)"""
import math
import socket
import sys
import threading
import time

import liblo
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.mouse_button import MouseButton
from selenium.webdriver.common.actions.pointer_input import PointerInput

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client  # noqa: E402
from waiting import SLOW, skip_part, wait_until  # noqa: E402


class Subscriber:
    """An OSC /notify subscriber on its own thread, renewed every 3 s as
    the lease wants: every /voice/N/cursor it gets, with the time it
    arrived."""

    def __init__(self, port):
        self.target = liblo.Address("127.0.0.1", port)
        self.server = liblo.Server(0)
        self.lock = threading.Lock()
        self.cursors = []  # (time, voice, x, y)
        self.server.add_method(None, None, self.on_message)
        self.running = True
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def on_message(self, path, args):
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "voice" and parts[3] == "cursor":
            with self.lock:
                self.cursors.append((time.monotonic(), int(parts[2]), args[0], args[1]))

    def run(self):
        renewed = 0
        while self.running:
            if time.monotonic() - renewed > 3:
                self.server.send(self.target, "/notify", 60)
                renewed = time.monotonic()
            self.server.recv(10)
        self.server.send(self.target, "/notify", 0)

    def since(self, start, voice):
        with self.lock:
            return [(t, x, y) for t, v, x, y in self.cursors if t >= start and v == voice]

    def close(self):
        self.running = False
        self.thread.join()
        self.server.free()


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def stage_point(driver, fx, fy):
    """Viewport coordinates of a fraction of the playing surface."""
    r = driver.execute_script("const r = document.getElementById('stage').getBoundingClientRect();"
                              "return [r.left, r.top, r.width, r.height];")
    return int(r[0] + fx * r[2]), int(r[1] + fy * r[3])


# How long a drag rests where it starts: /notify reports cursors at display
# rate from what was rendered, so a subscriber sees where a path begins only
# if the path stays there a while (longer where rendering is slower).
START_HOLD_S = 1.0 if SLOW > 1 else 0.3


def drag(driver, kind, points, pressures=None, hold=0.0):
    """One pointer of `kind` ("pen", "mouse") down at points[0], resting
    there `hold` seconds, through the others, and up; `pressures` per point
    for a pen."""
    pointer = PointerInput(kind, kind)
    actions = ActionBuilder(driver, mouse=pointer, duration=100)  # ms per move
    pressures = pressures or [None] * len(points)
    x, y = stage_point(driver, *points[0])
    actions.pointer_action.move_to_location(x, y)
    actions.pointer_action.pointer_down(pressure=pressures[0])
    if hold:
        actions.pointer_action.pause(hold)
    for (fx, fy), p in zip(points[1:], pressures[1:]):
        x, y = stage_point(driver, fx, fy)
        actions.pointer_action.move_to_location(x, y, pressure=p)
    actions.pointer_action.pointer_up()
    actions.perform()


def touch_and_hold(driver, places, seconds):
    """One finger on each place (fractions of the surface) at once, held
    for `seconds`, then lifted together: one action sequence (ChromeDriver
    does not carry touches from one sequence to the next)."""
    actions = ActionBuilder(driver)
    for i, (fx, fy) in enumerate(places):
        finger = actions.add_pointer_input(interaction.POINTER_TOUCH, "finger%d" % i)
        x, y = stage_point(driver, fx, fy)
        finger.create_pointer_move(duration=0, x=x, y=y)
        finger.create_pointer_down(button=MouseButton.LEFT)
        finger.create_pause(seconds)
        finger.create_pointer_up(MouseButton.LEFT)
    actions.perform()


def check_page_loads(driver, url):
    driver.get(url)
    wait_until(lambda: driver.execute_script("return document.getElementById('terrain').dataset.version"),
               "the terrain's picture is drawn")
    # A picture, not a blank: the demo terrain's height map varies.
    spread = driver.execute_script("""
        const c = document.getElementById('terrain'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lo = 255, hi = 0;
        for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i + 1]); hi = Math.max(hi, d[i + 1]); }
        return [c.width, c.height, hi - lo];""")
    assert spread[0] == 256 and spread[1] == 256 and spread[2] > 100, spread
    wait_until(lambda: driver.find_element("id", "st-model").text == "demo", "the status strip shows the model")
    version = open("VERSION").read().strip()
    wait_until(lambda: driver.find_element("id", "st-version").text == version,
               "the status strip shows the version, %s (VERSION)" % version)
    print("  ok: the page shows the terrain (256x256 picture) and the status strip (model demo, terraind %s)"
          % version)


def check_midi_input(driver):
    """The status strip names a MIDI input once the daemon connects it
    (the config names "webkeys"; midi_out.py makes the port)."""
    from midi_out import MidiOut
    keys = MidiOut("webkeys")
    try:
        wait_until(lambda: "webkeys:out" in driver.find_element("id", "st-midi").text,
                   "the status strip names the connected MIDI input", seconds=10)
        print("  ok: the status strip names the MIDI input: %s" % driver.find_element("id", "st-midi").text)
    finally:
        keys.close()


def check_picture_follows_terrain(driver, client):
    version = driver.execute_script("return document.getElementById('terrain').dataset.version")
    client.request("/load/terrain", "demo.json", timeout=30 * SLOW)
    wait_until(lambda: driver.execute_script("return document.getElementById('terrain').dataset.version") != version,
               "the page redraws the picture of the new terrain")
    print("  ok: /load/terrain redraws the page's picture (terrain version %s -> %s)"
          % (version, driver.execute_script("return document.getElementById('terrain').dataset.version")))


def check_labels(driver, client):
    """The instruments terrain's labels reach the page with its picture and are drawn over it (on a
    laptop-sized window the names are on by default); the demo terrain has none and the switch
    hides."""
    client.request("/load/terrain", "instruments.json", timeout=60 * SLOW)
    wait_until(lambda: "violin" in (driver.execute_script("return window.terraind.labels.map((l) => l.name)") or []),
               "the page gets the instruments terrain's labels")
    names = driver.execute_script("return window.terraind.labels.map((l) => l.name)")
    assert {"violin", "choir", "guitar"} <= set(names), names
    shown = driver.execute_script("""return [!document.getElementById('labels-switch').hidden,
        document.getElementById('labels-shown').checked]""")
    assert shown == [True, True], shown
    # the overlay draws white rings where the labels are: count white pixels around the violin's place
    def white_near_violin():
        return driver.execute_script("""
            const l = window.terraind.labels.find((l) => l.name === 'violin'), t = window.terraind.terrain;
            const o = document.getElementById('overlay'), r = o.getBoundingClientRect(), s = o.width / r.width;
            const px = ((l.x - t.min[0]) / (t.max[0] - t.min[0])) * r.width * s;
            const py = ((t.max[1] - l.y) / (t.max[1] - t.min[1])) * r.height * s;
            const d = o.getContext('2d').getImageData(Math.round(px - 8 * s), Math.round(py - 8 * s),
                                                      Math.round(16 * s), Math.round(16 * s)).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) n += d[i] > 240 && d[i + 1] > 240 && d[i + 3] > 200;
            return n;""")
    wait_until(lambda: white_near_violin() > 20, "the violin's ring is drawn on the overlay")
    driver.execute_script("document.getElementById('labels-shown').click()")
    wait_until(lambda: white_near_violin() == 0, "the names switch hides the labels")
    driver.execute_script("document.getElementById('labels-shown').click()")
    client.request("/load/terrain", "demo.json", timeout=60 * SLOW)
    wait_until(lambda: driver.execute_script("return document.getElementById('labels-switch').hidden"),
               "a terrain without labels hides the names switch")
    print("  ok: the instruments terrain's labels (%s) are drawn over its picture, the switch hides them, "
          "the demo terrain has none" % ", ".join(names))


def check_console(driver):
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe
    print("  ok: no console errors")


def check_pen(driver, watcher, client):
    # Voice 0 sounds from the start, where it rests: released first, so
    # that every update of it comes from the pen.
    client.request("/voice/0/off")
    wait_until(lambda: client.status()["voices_active"] == 0, "voice 0 is released")
    start = time.monotonic()
    points = [(0.1 + 0.2 * i, 0.5) for i in range(5)]
    drag(driver, "pen", points, pressures=[0.9, 0.8, 0.7, 0.6, 0.5], hold=START_HOLD_S)
    got = wait_until(lambda: (lambda c: c if len(c) >= 3 and c[-1][1] > 0.5 else None)(watcher.since(start, 0)),
                     "voice 0's cursor reaches the right")
    xs = [x for _, x, _ in got]
    assert xs[0] < -0.3 and max(xs) > 0.5, xs
    assert all(b >= a - 1e-3 for a, b in zip(xs, xs[1:])), xs
    gain = client.status()["gain"]
    assert abs(gain - 0.5) < 0.02, gain  # 2-D terrain: voice 0's pressure is the output's pressure gain
    print("  ok: a pen drag moves voice 0 from x %.2f to %.2f (%d /notify updates); pressure 0.5 -> gain %.2f"
          % (xs[0], max(xs), len(xs), gain))


def check_touches(driver, watcher, client):
    wait_until(lambda: client.status()["voices_active"] == 0, "the pen's voice is released")
    places = [(0.25, 0.25), (0.75, 0.75)]
    hold = threading.Thread(target=touch_and_hold, args=(driver, places, 2.0 * SLOW))
    start = time.monotonic()
    hold.start()
    try:  # while the fingers are down: the OSC side only (the driver is busy)
        status = wait_until(lambda: (lambda s: s if s["voices_active"] == 2 else None)(client.status()),
                            "two fingers sound two voices")
        wait_until(lambda: watcher.since(start, 0) and watcher.since(start, 1), "cursors of voices 0 and 1")
        x0, x1 = watcher.since(start, 0)[-1][1], watcher.since(start, 1)[-1][1]
    finally:
        hold.join()
    assert x0 < 0 < x1, (x0, x1)
    wait_until(lambda: client.status()["voices_active"] == 0, "lifting both fingers releases both voices")
    print("  ok: two fingers sound voices 0 and 1 (voices_active %d, x %.2f and %.2f); lifting releases them"
          % (status["voices_active"], x0, x1))


def check_cursors(driver, client):
    """Voices played by another controller (OSC here) appear on the page as
    live cursors, from the WebSocket's /notify updates."""
    for voice, (x, y) in enumerate([(-0.6, 0.5), (0.2, -0.3), (0.7, 0.6)]):
        client.send("/voice/%d/xy" % voice, x, y)
    wait_until(lambda: driver.execute_script("return window.terraind.cursors.size") == 3, "the page draws 3 cursors")
    for voice in range(3):
        client.send("/voice/%d/off" % voice)
    wait_until(lambda: driver.execute_script("return window.terraind.cursors.size") == 0, "the cursors go")
    wait_until(lambda: client.status()["voices_active"] == 0, "the voices are released")
    print("  ok: voices played over OSC show as 3 live cursors on the page, and go when released")


def check_gesture(driver, watcher, client):
    driver.find_element("id", "mode-gesture").click()
    drag(driver, "pen", [(0.1, 0.2), (0.3, 0.2), (0.5, 0.2), (0.7, 0.2), (0.9, 0.2)], hold=START_HOLD_S)
    lifted = time.monotonic()
    # Played after the pen is lifted, in the time it took to draw (~1.3 s).
    got = wait_until(lambda: (lambda c: c if c and c[-1][1] > 0.5 else None)(watcher.since(lifted, 0)),
                     "the gesture carries voice 0 to the right")
    # An update sent before the gesture's first point was applied shows the cursor where it was
    # (a sanitizer build applies it late): the gesture's updates start where y is the path's.
    while got and abs(got[0][2] - 0.6) >= 0.05:
        got = got[1:]
    xs = [x for _, x, _ in got]
    assert xs[0] < 0 and len(xs) >= 3, xs
    assert all(abs(y - 0.6) < 0.05 for _, _, y in got), got  # y 0.2 down the surface: 0.6 on [-1, 1]
    assert client.status()["failures"] == 0
    driver.find_element("id", "mode-play").click()
    print("  ok: a drawn path plays as /voice/0/gesture after the pen lifts: x %.2f -> %.2f in %d updates"
          % (xs[0], xs[-1], len(xs)))


def page(driver, script):
    return driver.execute_script("return " + script)


def loop_info(client, n):
    client.send("/loop/%d/get" % n)
    _, args = client.wait_reply(lambda p, a: p == "/loop/%d/info" % n)
    return dict(zip(args[0::2], args[1::2]))


def check_record_loop(driver, watcher, client):
    """A path drawn in "Record a loop" mode becomes loop 0's take, which plays
    on loop 0's voice (7 of 8): the daemon says so, the page lists the loop
    and draws its path."""
    driver.find_element("id", "mode-loop").click()
    s = client.status()
    frame, before = s["ratio"] / s["model_rate"], s["frames"]
    drag(driver, "pen", [(0.1, 0.8), (0.5, 0.8), (0.9, 0.8)], hold=START_HOLD_S)
    lifted = time.monotonic()
    info = wait_until(lambda: (lambda i: i if i["state"] == "playing" else None)(loop_info(client, 0)),
                      "loop 0 has a take and plays")
    # The take is the audio rendered while the path was drawn (a sanitizer
    # build renders slower than real time: counted in frames, not on the
    # clock): most of the drag (the page starts recording when the pen has
    # rested where the path starts), never more than all of it.
    drawn = (client.status()["frames"] - before) * frame
    assert 0.3 * drawn < info["length"] <= drawn + 3 * frame, (info["length"], drawn)
    got = wait_until(lambda: (lambda c: c if len(c) >= 3 else None)(watcher.since(lifted + info["length"], 7)),
                     "the loop's voice 7 sounds")
    assert all(abs(y + 0.6) < 0.1 for _, _, y in got), got  # y 0.8 down the surface: -0.6 on [-1, 1]
    wait_until(lambda: page(driver, "document.querySelector('#loops li[data-loop=\"0\"]')?.dataset.state")
               == "playing", "the page lists loop 0 as playing")
    wait_until(lambda: page(driver, "window.terraind.loops.get(0).trail.length") >= 3, "the page draws loop 0's path")
    assert page(driver, "loopOfVoice(7)[0]") == 0  # voice 7's cursor is labelled "loop 0"
    client.request("/loop/0/clear")
    wait_until(lambda: page(driver, "document.querySelectorAll('#loops li').length") == 0, "the cleared loop goes")
    driver.find_element("id", "mode-play").click()
    print("  ok: a drawn path is recorded as loop 0 (%.2f s) and plays on voice 7; the page lists and draws it"
          % info["length"])


def check_grains(driver, client):
    client.send("/grain/line", -0.5, -0.5, 0.5, 0.5)
    client.request("/grain/on")
    wait_until(lambda: page(driver, "window.terraind.cursors.has('grain:cursor')"), "the page draws the grain scanner")
    client.request("/grain/off")
    wait_until(lambda: not page(driver, "window.terraind.cursors.has('grain:cursor')"), "the scanner's cursor goes")
    print("  ok: the grain scanner shows as a cursor while grains are made")


def check_points(driver, watcher, client):
    """A tap in "Store a point" mode stores it (/point/0/store); its pad,
    tapped, moves voice 0 there."""
    driver.find_element("id", "mode-point").click()
    drag(driver, "mouse", [(0.8, 0.3)])
    pad = wait_until(lambda: driver.find_elements("css selector", "#pads button[data-point='0']"), "the pad P0")[0]
    start = time.monotonic()
    pad.click()  # in any mode: the pads are not on the surface
    got = wait_until(lambda: watcher.since(start, 0), "voice 0 goes to the point")
    _, x, y = got[-1]
    assert abs(x - 0.6) < 0.05 and abs(y - 0.4) < 0.05, got[-1]  # (0.8, 0.3) of the surface
    client.send("/voice/0/off")
    client.request("/point/0/clear")  # by another controller: the pad goes when tapped
    driver.find_element("css selector", "#pads button[data-point='0']").click()
    wait_until(lambda: not driver.find_elements("css selector", "#pads button"), "the cleared point's pad goes")
    print("  ok: a tap stores point 0 at (%.2f, %.2f); its pad moves voice 0 there, and goes once cleared" % (x, y))


def check_training(driver, client):
    """Two paths drawn in "Train" mode: the sounds along the first placed
    along the second (/train/add), then /train/run from the page: progress
    shown, the trained terrain plays and its picture is drawn."""
    driver.find_element("id", "mode-train").click()
    drag(driver, "pen", [(0.1, 0.5), (0.5, 0.5), (0.9, 0.5)])
    wait_until(lambda: page(driver, "(s => s && performance.now() > s.start + 1000 * s.seconds + 50)"
                                    "(window.terraind.training.source)"), "the first path has played")
    drag(driver, "pen", [(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)])
    frames = wait_until(lambda: page(driver, "window.terraind.training.pairs[0]?.frames"), "the paths are paired")
    assert frames >= 2, frames
    version = page(driver, "document.getElementById('terrain').dataset.version")
    page(driver, "document.getElementById('train-epochs').value = 3")
    driver.find_element("id", "train-run").click()
    wait_until(lambda: "trained" in driver.find_element("id", "train-pairs").text, "the page says it trained",
               seconds=30)
    assert page(driver, "document.getElementById('train-progress').value") == 1
    wait_until(lambda: page(driver, "document.getElementById('terrain').dataset.version") != version,
               "the trained terrain's picture")
    assert client.status()["terrain"] == "live"
    driver.find_element("id", "train-clear").click()
    print("  ok: two drawn paths paired (%d frames), trained from the page with progress; the new picture shows"
          % frames)


def take_screenshots(driver, client, directory):
    """The page at laptop and phone sizes for docs/web-*.png: three voices
    played over OSC, a loop drawn as it plays, two points stored from the
    page, the grain scanner."""
    for voice, (x, y) in enumerate([(-0.6, 0.5), (0.2, -0.3), (0.7, 0.6)]):
        client.send("/voice/%d/xy" % voice, x, y)
    circle = [v for i in range(25) for v in (i / 24.0, 0.3 + 0.35 * math.cos(i * math.pi / 12),
                                             -0.35 + 0.35 * math.sin(i * math.pi / 12))]
    client.request("/loop/1/record", 4)
    client.send("/voice/4/gesture", *circle)
    time.sleep(1.0)
    client.request("/loop/1/record")
    client.send("/voice/4/off")
    driver.find_element("id", "mode-point").click()
    for place in [(0.2, 0.8), (0.55, 0.15)]:
        drag(driver, "mouse", [place])
    driver.find_element("id", "mode-play").click()
    client.send("/grain/line", -0.9, -0.2, -0.2, 0.3)
    client.send("/grain/position", 0.6)
    client.request("/grain/on")
    wait_until(lambda: page(driver, "(l => l && l.trail.length >= 55)(window.terraind.loops.get(1))"),
               "the loop's path is drawn")
    wait_until(lambda: page(driver, "document.querySelectorAll('#pads button').length") >= 2, "the pads")
    driver.save_screenshot(directory + "/web-laptop.png")
    driver.set_window_size(390, 844)
    wait_until(lambda: driver.execute_script("return window.innerWidth") <= 390, "the phone-sized window")
    time.sleep(0.2)
    driver.save_screenshot(directory + "/web-phone.png")
    driver.set_window_size(1280, 800)
    print("  ok: screenshots in %s" % directory)


def handshake(http_port, token, origin=None):
    """The status line a WebSocket handshake gets."""
    with socket.create_connection(("127.0.0.1", http_port), timeout=5) as s:
        s.sendall(("GET /osc?token=%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: Upgrade\r\n"
                   "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Protocol: terraind\r\n%s\r\n"
                   % (token, http_port, "Origin: %s\r\n" % origin if origin else "")).encode())
        return s.recv(200).split(b"\r\n")[0].decode()


def check_wrong_token(driver, http_port, token):
    assert " 101 " in handshake(http_port, token), handshake(http_port, token)
    status_line = handshake(http_port, "wrong")
    assert " 403 " in status_line, status_line
    other_site = handshake(http_port, token, origin="https://example.com")
    assert " 403 " in other_site, other_site
    driver.get("http://127.0.0.1:%d/?token=wrong" % http_port)
    wait_until(lambda: "refused" in driver.find_element("id", "message").text, "the page says it was refused")
    assert not driver.execute_script("return document.getElementById('terrain').dataset.version")
    print("  ok: a wrong token is refused (%s), and the page says so; so is another site's page with the right "
          "token" % status_line)


def daemon_answers(port):
    try:
        with Client(port=port, timeout=0.5) as c:
            return c.status()
    except TimeoutError:
        return None


def main():
    osc_port, http_port, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    screenshots = sys.argv[4] if len(sys.argv) > 4 else None
    driver = start_browser()  # while the daemon starts: both take seconds
    wait_until(lambda: daemon_answers(osc_port), "the daemon answers /status", seconds=30)
    watcher = Subscriber(osc_port)
    try:
        with Client(port=osc_port) as client:
            check_page_loads(driver, "http://127.0.0.1:%d/?token=%s" % (http_port, token))
            check_pen(driver, watcher, client)
            check_touches(driver, watcher, client)
            check_cursors(driver, client)
            check_gesture(driver, watcher, client)
            check_record_loop(driver, watcher, client)
            check_grains(driver, client)
            check_points(driver, watcher, client)
            check_midi_input(driver)
            if SLOW == 1:
                check_training(driver, client)
            else:  # the page pairs the latents that arrive while the first path plays, on its clock
                skip_part("training", "under a sanitizer rendering is slower than real time and too few latents "
                          "arrive while the path plays (test_live_training covers /train/*)")
            check_picture_follows_terrain(driver, client)
            check_labels(driver, client)
            check_console(driver)
            if screenshots:
                take_screenshots(driver, client, screenshots)
            check_wrong_token(driver, http_port, token)
    except BaseException:
        print("browser console:", driver.get_log("browser"), file=sys.stderr)
        raise
    finally:
        driver.quit()
        watcher.close()


if __name__ == "__main__":
    main()
