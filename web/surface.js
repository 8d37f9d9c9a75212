// terraind's web surface: the terrain's picture, pointers that play voices,
// live cursors and gestures. Everything goes to the daemon as OSC packets
// over the WebSocket (the same dispatcher as any controller: docs/osc.md);
// what comes back is what an OSC /notify subscriber gets. docs/web.md.
"use strict";

const $ = (id) => document.getElementById(id);
const stage = $("stage"), picture = $("terrain"), overlay = $("overlay");

const state = {
	socket: null,
	terrain: null, // {version, controlDim, latentDim, min: [], max: []}
	voicesMax: 8,
	mode: "play", // or a key of pathModes / tapModes
	pointers: new Map(), // pointerId -> {voice, type, path (path modes)}
	cursors: new Map(), // "kind:id" -> {kind, id, x, y, seen}
	paths: [], // drawn gestures being played: {points: [[x, y], ...], until}
	channels: [0],
};
window.terraind = state; // for the browser test and for curious users

// ---- the connection -------------------------------------------------------

// The token is given once in the address (?token=...), then kept for this tab.
function token() {
	const given = new URLSearchParams(location.search).get("token");
	if (given) {
		sessionStorage.setItem("terraind-token", given);
		history.replaceState(null, "", location.pathname);
	}
	return sessionStorage.getItem("terraind-token") || "";
}

function send(packet) {
	if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(packet);
}

function connect() {
	const scheme = location.protocol === "https:" ? "wss:" : "ws:";
	const socket = new WebSocket(`${scheme}//${location.host}/osc?token=${encodeURIComponent(token())}`, "terraind");
	socket.binaryType = "arraybuffer";
	let opened = false;
	socket.onopen = () => {
		opened = true;
		state.socket = socket;
		showMessage("");
		send(osc.message("/web/picture", state.channels.map((c) => ["i", c])));
		send(osc.message("/status", []));
		subscribe();
	};
	socket.onmessage = (event) => receive(osc.parse(event.data));
	socket.onclose = () => {
		state.socket = null;
		if (!opened) {
			showMessage("terraind refused this page: open the address it printed at start " +
			            "(with its ?token=...)", true);
			return; // a wrong token stays wrong: no retrying
		}
		showMessage("connection to terraind lost; retrying…", true);
		setTimeout(connect, 1000);
	};
}

// /notify lasts 10 s: renewed every 3 s, at the display's 60 updates a second.
function subscribe() {
	send(osc.message("/notify", [["i", 60]]));
}
setInterval(subscribe, 3000);

// ---- what comes back ----------------------------------------------------------

// Cursor kinds: each an address pattern (whose first group names the
// cursor) and how to draw one at its place. A new kind is one more entry
// (web/looper.js adds the grain scanner).
const cursorKinds = [
	{
		kind: "voice",
		pattern: /^\/voice\/(\d+)\/cursor$/,
		draw(ctx, c, at) {
			const [px, py] = at;
			ctx.beginPath();
			ctx.arc(px, py, 14, 0, 2 * Math.PI);
			ctx.fillStyle = "rgba(255, 255, 255, 0.25)";
			ctx.fill();
			ctx.lineWidth = 2;
			ctx.strokeStyle = "#fff";
			ctx.stroke();
			ctx.fillStyle = "#fff";
			ctx.font = "12px system-ui, sans-serif";
			ctx.textAlign = "center";
			ctx.textBaseline = "middle";
			ctx.fillText(String(c.id), px, py);
		},
	},
];
const CURSOR_STALE_MS = 300; // a voice that stopped sounding stops being reported

// Other replies the page's modules follow: [address pattern, fn(match, args)].
const listeners = [];
const listen = (pattern, fn) => listeners.push([pattern, fn]);

function receive(m) {
	if (!m) return;
	if (m.address === "/web/picture") return showPicture(m.args);
	if (m.address === "/status.reply") return showStatus(m.args);
	if (m.address === "/fail") showMessage(`${m.args[0]}: ${m.args[1]}`, true);
	for (const [pattern, fn] of listeners) {
		const match = pattern.exec(m.address);
		if (match) fn(match, m.args);
	}
	for (const k of cursorKinds) {
		const match = k.pattern.exec(m.address);
		if (match)
			state.cursors.set(`${k.kind}:${match[1]}`,
			                  {kind: k, id: match[1], x: m.args[0], y: m.args[1], seen: performance.now()});
	}
}

function showPicture(args) {
	const [version, width, height, controlDim, latentDim] = args;
	const bounds = args.slice(5, 5 + 2 * controlDim), rgb = args[5 + 2 * controlDim];
	const image = new ImageData(width, height);
	for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
		image.data[j] = rgb[i];
		image.data[j + 1] = rgb[i + 1];
		image.data[j + 2] = rgb[i + 2];
		image.data[j + 3] = 255;
	}
	picture.width = width;
	picture.height = height;
	picture.getContext("2d").putImageData(image, 0, 0);
	const first = !state.terrain || state.terrain.latentDim !== latentDim;
	state.terrain = {
		version,
		controlDim,
		latentDim,
		min: bounds.filter((_, i) => i % 2 === 0),
		max: bounds.filter((_, i) => i % 2 === 1),
	};
	picture.dataset.version = version;
	if (first) fillChannelChoices(latentDim);
}

function fillChannelChoices(latentDim) {
	const select = $("channels");
	select.innerHTML = "";
	for (let c = 0; c < latentDim; c++) select.add(new Option(`height of z${c}`, String(c)));
	for (let c = 0; c + 2 < latentDim; c += 3) select.add(new Option(`RGB of z${c} z${c + 1} z${c + 2}`, `${c},${c + 1},${c + 2}`));
	select.value = state.channels.join(",");
}

$("channels").addEventListener("change", (e) => {
	state.channels = e.target.value.split(",").map(Number);
	send(osc.message("/web/picture", state.channels.map((c) => ["i", c])));
});

function showStatus(args) {
	const s = {};
	for (let i = 0; i + 1 < args.length; i += 2) s[args[i]] = args[i + 1];
	const set = (id, text) => ($(id).textContent = text);
	if ("version" in s) set("st-version", s.version);
	if ("model" in s) set("st-model", s.model);
	if ("terrain" in s) set("st-terrain", s.terrain);
	if ("latency_ms" in s) set("st-latency", s.latency_ms < 0 ? "–" : `${s.latency_ms.toFixed(1)} ms`);
	if ("xruns" in s) set("st-xruns", String(s.xruns));
	if ("cpu_load" in s) set("st-cpu", `${Math.round(100 * s.cpu_load)} %`);
	if ("voices_active" in s) set("st-voices", `${s.voices_active} / ${s.voices_max}`);
	if ("voices_max" in s) state.voicesMax = s.voices_max;
	if ("midi" in s) { /* the connected MIDI inputs, when MIDI is on */
		$("st-midi-box").hidden = s.midi === "off";
		set("st-midi", s.midi_inputs || "no input yet");
	}
}

let messageTimer = 0;
function showMessage(text, error = false) {
	const m = $("message");
	m.textContent = text;
	m.className = text ? (error ? "shown error" : "shown") : "";
	clearTimeout(messageTimer);
	if (text && state.socket) messageTimer = setTimeout(() => showMessage(""), 4000);
}

// ---- pointers: one voice each ---------------------------------------------------

// The surface's fraction (0..1 from the top left) to terrain coordinates;
// axes beyond the second at the middle of their bounds (as the picture).
function toTerrain(fx, fy) {
	const t = state.terrain;
	const point = [t.min[0] + fx * (t.max[0] - t.min[0]), t.max[1] - fy * (t.max[1] - t.min[1])];
	for (let d = 2; d < t.controlDim; d++) point.push(0.5 * (t.min[d] + t.max[d]));
	return point;
}

function toSurface(x, y) {
	const t = state.terrain, r = overlay.getBoundingClientRect();
	return [((x - t.min[0]) / (t.max[0] - t.min[0])) * r.width, ((t.max[1] - y) / (t.max[1] - t.min[1])) * r.height];
}

function fraction(e) {
	const r = stage.getBoundingClientRect();
	const clamp = (v) => Math.min(1, Math.max(0, v));
	return [clamp((e.clientX - r.left) / r.width), clamp((e.clientY - r.top) / r.height)];
}

function freeVoice() {
	const held = new Set([...state.pointers.values()].map((p) => p.voice));
	for (let v = 0; v < state.voicesMax; v++) if (!held.has(v)) return v;
	return -1;
}

// Pen: /voice/N/stylus with its pressure; mouse and fingers: /voice/N/xy.
function play(p, e) {
	const [x, y] = toTerrain(...fraction(e));
	if (p.type === "pen") send(osc.floats(`/voice/${p.voice}/stylus`, [x, y, e.pressure]));
	else send(osc.floats(`/voice/${p.voice}/xy`, [x, y]));
}

stage.addEventListener("pointerdown", (e) => {
	if (!state.terrain) return;
	const voice = freeVoice();
	if (voice < 0) return showMessage(`all ${state.voicesMax} voices are playing`, true);
	stage.setPointerCapture(e.pointerId);
	e.preventDefault();
	if (state.mode in tapModes) return tapModes[state.mode](toTerrain(...fraction(e)));
	const p = {voice, type: e.pointerType, path: [], start: e.timeStamp};
	state.pointers.set(e.pointerId, p);
	if (state.mode === "play") play(p, e);
	else p.path.push([e.timeStamp, ...toTerrain(...fraction(e))]);
});

stage.addEventListener("pointermove", (e) => {
	const p = state.pointers.get(e.pointerId);
	if (!p) return;
	const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
	if (state.mode === "play") play(p, e);
	else for (const c of events.length ? events : [e]) p.path.push([c.timeStamp, ...toTerrain(...fraction(c))]);
});

function lift(e) {
	const p = state.pointers.get(e.pointerId);
	if (!p) return;
	state.pointers.delete(e.pointerId);
	if (state.mode === "play") send(osc.message(`/voice/${p.voice}/off`, []));
	else if (p.path.length >= 2) pathModes[state.mode](p);
}
stage.addEventListener("pointerup", lift);
stage.addEventListener("pointercancel", lift);

// ---- gestures: a drawn path, played in the time it took to draw ------------------

const GESTURE_NUMBERS_MAX = 12288; // what one /gesture carries (docs/osc.md)

// Plays the drawn path p on voice p.voice, after `lead` seconds at its
// first point (for the voice's smoothing to get there); returns when it
// ends, in seconds from now.
function playGesture(p, lead = 0) {
	const dims = state.terrain.controlDim;
	const keep = Math.floor(GESTURE_NUMBERS_MAX / (1 + dims)) - 1;
	const step = Math.ceil(p.path.length / keep);
	const points = p.path.filter((_, i) => i % step === 0 || i === p.path.length - 1);
	const numbers = lead > 0 ? [0, ...points[0].slice(1)] : [];
	let last = lead > 0 ? 0 : -1;
	for (const [stamp, ...coords] of points) {
		const t = Math.max(lead + (stamp - p.start) / 1000, last + 0.001); // ascending, in seconds from now
		numbers.push(t, ...coords);
		last = t;
	}
	send(osc.floats(`/voice/${p.voice}/gesture`, numbers));
	state.paths.push({points: points.map(([, x, y]) => [x, y]), until: performance.now() + 1000 * last + 500});
	return last;
}

// What a drawn path does when the pointer lifts, and what a tap does, per
// mode (web/looper.js and web/training.js add theirs); "play" is neither.
const pathModes = {gesture: playGesture};
const tapModes = {};

// The mode buttons: <button data-mode="...">.
const modeButtons = [...document.querySelectorAll("[data-mode]")];
function setMode(mode) {
	state.mode = mode;
	for (const b of modeButtons) b.setAttribute("aria-checked", String(b.dataset.mode === mode));
	document.body.dataset.mode = mode;
}
for (const b of modeButtons) b.addEventListener("click", () => setMode(b.dataset.mode));

// ---- drawing, at the display's rate ---------------------------------------------

function draw(now) {
	const r = overlay.getBoundingClientRect(), scale = window.devicePixelRatio || 1;
	if (overlay.width !== Math.round(r.width * scale) || overlay.height !== Math.round(r.height * scale)) {
		overlay.width = Math.round(r.width * scale);
		overlay.height = Math.round(r.height * scale);
	}
	const ctx = overlay.getContext("2d");
	ctx.setTransform(scale, 0, 0, scale, 0, 0);
	ctx.clearRect(0, 0, r.width, r.height);
	if (state.terrain) {
		state.paths = state.paths.filter((p) => p.until > now);
		for (const p of state.paths) drawPath(ctx, p.points);
		for (const p of state.pointers.values()) if (p.path.length) drawPath(ctx, p.path.map(([, x, y]) => [x, y]));
		for (const layer of layers) layer(ctx, now);
		for (const [key, c] of state.cursors) {
			if (now - c.seen > CURSOR_STALE_MS) state.cursors.delete(key);
			else c.kind.draw(ctx, c, toSurface(c.x, c.y));
		}
	}
	requestAnimationFrame(draw);
}

// More to draw under the cursors: fn(ctx, now) each (loops' paths, pads, training pairs).
const layers = [];

function drawPath(ctx, points, colour = "rgba(255, 220, 120, 0.9)", dash = []) {
	ctx.beginPath();
	points.forEach(([x, y], i) => (i ? ctx.lineTo(...toSurface(x, y)) : ctx.moveTo(...toSurface(x, y))));
	ctx.lineWidth = 3;
	ctx.strokeStyle = colour;
	ctx.setLineDash(dash);
	ctx.stroke();
	ctx.setLineDash([]);
}

// A short label beside a place on the surface.
function drawLabel(ctx, text, [px, py], colour = "#fff") {
	ctx.font = "12px system-ui, sans-serif";
	ctx.textAlign = "left";
	ctx.textBaseline = "middle";
	ctx.lineWidth = 3;
	ctx.strokeStyle = "rgba(0, 0, 0, 0.7)";
	ctx.strokeText(text, px, py);
	ctx.fillStyle = colour;
	ctx.fillText(text, px, py);
}

requestAnimationFrame(draw);
window.addEventListener("load", connect); // once every module has added its listeners
