// The looper, the grain scanner and stored points on the web surface
// (docs/osc.md's "Gesture looper", "Granular synthesis", "Stored points"):
// each loop's state and path, the scanner's cursor, pads to tap, a drawn
// path recorded as a loop and points stored from the page. docs/web.md.
"use strict";

state.loops = new Map(); // N -> {state, position, length, voice, trail: [[x, y], ...], seen}
state.points = new Map(); // K -> [x, y, ...], the points this page stored
const pendingPoints = new Map(); // K -> coordinates, until the daemon's /done
const LOOPS = 8, POINTS = 128; // /loop/0..7, /point/0..127

// ---- loops: /loop/N/state STATE POSITION LENGTH, and /loop/N/info's voice --------

listen(/^\/loop\/(\d+)\/state$/, (match, [loopState, position, length]) => {
	const n = Number(match[1]);
	let loop = state.loops.get(n);
	if (!loop) {
		loop = {voice: state.voicesMax - 1 - n, trail: []}; // the default until /loop/N/info says
		state.loops.set(n, loop);
	}
	if (loop.state !== loopState) send(osc.message(`/loop/${n}/get`, [])); // which voice it plays on (a setting)
	if (loop.state !== loopState || loop.length !== length) loop.trail = []; // drawn again as it plays
	Object.assign(loop, {state: loopState, position, length, seen: performance.now()});
	showLoops();
});

listen(/^\/loop\/(\d+)\/info$/, (match, args) => {
	const loop = state.loops.get(Number(match[1]));
	const at = args.indexOf("voice");
	if (loop && at >= 0) loop.voice = Math.round(args[at + 1]);
});

// The loops' states, one line each, over the top left of the surface.
function showLoops() {
	const list = $("loops");
	const lines = [...state.loops].filter(([, l]) => l.state !== "empty").sort(([a], [b]) => a - b);
	while (list.children.length > lines.length) list.lastChild.remove();
	while (list.children.length < lines.length) list.append(document.createElement("li"));
	lines.forEach(([n, l], i) => {
		const li = list.children[i];
		li.dataset.loop = n;
		li.dataset.state = l.state;
		li.textContent = `loop ${n} · ${l.state} · ${l.position.toFixed(1)} / ${l.length.toFixed(1)} s`;
	});
}

// A playing loop's path is where its voice's cursor goes during one period:
// collected from the voice's cursor updates, drawn dashed, and the voice's
// cursor labelled with the loop.
function loopOfVoice(voice) {
	for (const [n, l] of state.loops) if (l.voice === voice && l.state === "playing") return [n, l];
	return [];
}

listen(/^\/voice\/(\d+)\/cursor$/, (match, [x, y]) => {
	const [, loop] = loopOfVoice(Number(match[1]));
	if (!loop) return;
	loop.trail.push([x, y]);
	const perPeriod = Math.ceil(60 * Math.max(loop.length, 0.1)); // /notify's 60 updates a second
	if (loop.trail.length > perPeriod) loop.trail.splice(0, loop.trail.length - perPeriod);
});

layers.push((ctx) => {
	for (const [n, l] of state.loops) {
		if (l.state !== "playing" || l.trail.length < 2) continue;
		drawPath(ctx, l.trail, "rgba(140, 220, 255, 0.8)", [6, 4]);
	}
	for (const [key, c] of state.cursors) {
		const [n] = c.kind.kind === "voice" ? loopOfVoice(Number(c.id)) : [];
		if (n !== undefined) {
			const [px, py] = toSurface(c.x, c.y);
			drawLabel(ctx, `loop ${n}`, [px + 18, py], "#8cdcff");
		}
	}
});

// ---- a drawn path recorded as a loop ---------------------------------------------

// The lowest loop that is empty (or never seen), or -1.
function freeLoop() {
	for (let n = 0; n < LOOPS; n++) {
		const l = state.loops.get(n);
		if (!l || l.state === "empty") return n;
	}
	return -1;
}

// Records the drawn path as a loop: the path plays on voice V as a
// gesture, /loop/N/record V starts recording V once the voice has reached
// the path's start (its smoothing, 20 ms by default, settles well within
// LOOP_LEAD_S: the take starts where the path does), and when the path has
// played the second /loop/N/record ends the take (the loop then plays on
// its own voice) and V is released.
const LOOP_LEAD_S = 0.15;
pathModes.loop = (p) => {
	const n = freeLoop();
	if (n < 0) return showMessage(`all ${LOOPS} loops hold takes: clear one first (/loop/N/clear)`, true);
	state.loops.set(n, {state: "recording", position: 0, length: 0, voice: state.voicesMax - 1 - n, trail: []});
	const seconds = playGesture(p, LOOP_LEAD_S);
	setTimeout(() => send(osc.message(`/loop/${n}/record`, [["i", p.voice]])), 1000 * LOOP_LEAD_S);
	setTimeout(() => {
		send(osc.message(`/loop/${n}/record`, []));
		send(osc.message(`/voice/${p.voice}/off`, []));
	}, 1000 * seconds);
};

// ---- the grain scanner: /grain/cursor x y while grains are made --------------------

cursorKinds.push({
	kind: "grain",
	pattern: /^\/grain\/(cursor)$/,
	draw(ctx, c, [px, py]) {
		ctx.beginPath();
		ctx.moveTo(px, py - 12);
		ctx.lineTo(px + 12, py);
		ctx.lineTo(px, py + 12);
		ctx.lineTo(px - 12, py);
		ctx.closePath();
		ctx.lineWidth = 2;
		ctx.strokeStyle = "#b6f";
		ctx.stroke();
		drawLabel(ctx, "grains", [px + 16, py], "#d9b3ff");
	},
});

// ---- stored points: pads to tap ------------------------------------------------------

// In "Store a point" mode a tap stores the place as the lowest point this
// page has not stored; it becomes a pad once the daemon has kept it.
tapModes.point = (coords) => {
	let k = 0;
	while (k < POINTS && (state.points.has(k) || pendingPoints.has(k))) k++;
	if (k === POINTS) return showMessage(`all ${POINTS} points are stored`, true);
	pendingPoints.set(k, coords);
	send(osc.floats(`/point/${k}/store`, coords));
};

// A store the daemon kept becomes a pad; a pad whose point another
// controller cleared goes when tapped (the /fail says it is empty).
listen(/^\/(done|fail)$/, (match, [address, reason]) => {
	const point = /^\/point\/(\d+)\/(store|go)$/.exec(address);
	if (!point) return;
	const k = Number(point[1]), done = match[1] === "done";
	if (point[2] === "store" && done && pendingPoints.has(k)) state.points.set(k, pendingPoints.get(k));
	else if (point[2] === "go" && !done && /is empty/.test(reason)) state.points.delete(k);
	else return pendingPoints.delete(k);
	pendingPoints.delete(k);
	showPads();
});

// A pad per stored point: tapping it moves voice 0 there (/point/K/go).
function showPads() {
	const pads = $("pads");
	pads.innerHTML = "";
	for (const k of [...state.points.keys()].sort((a, b) => a - b)) {
		const b = document.createElement("button");
		b.textContent = `P${k}`;
		b.dataset.point = k;
		b.addEventListener("click", () => send(osc.message(`/point/${k}/go`, [])));
		pads.append(b);
	}
}

layers.push((ctx) => {
	for (const [k, coords] of state.points) {
		const [px, py] = toSurface(coords[0], coords[1]);
		ctx.fillStyle = "rgba(255, 190, 80, 0.85)";
		ctx.fillRect(px - 6, py - 6, 12, 12);
		drawLabel(ctx, `P${k}`, [px + 10, py], "#ffd27a");
	}
});
