// Training from the page, as nn.terrain.gui's trajectory task pairs drawn
// paths with sounds: the daemon keeps no dataset on the live side, so the
// sounds come from the playing terrain. The first path drawn in "Train"
// mode is played on voice 0 while /notify's /latent frames are collected
// (where a sound is); the second says where it should be: each collected
// frame is paired with the point of the second path at the same fraction
// of its drawing time (/train/add). "Train" sends /train/run, shows
// /train/progress, and the new terrain's picture comes with the swap.
// docs/web.md.
"use strict";

state.training = {
	pairs: [], // {from: [[x, y], ...], to: [[x, y], ...], frames}
	source: null, // the first path: {from, start, seconds, latents: [[ms, z], ...]}
	running: false,
};

pathModes.train = (p) => {
	const t = state.training;
	if (!t.source) return collectSounds(p);
	pairWith(p);
};

function collectSounds(p) {
	const t = state.training;
	p.voice = 0; // /latent is voice 0's
	const seconds = playGesture(p);
	t.source = {from: p.path.map(([, x, y]) => [x, y]), start: performance.now(), seconds, latents: []};
	setTimeout(() => send(osc.message("/voice/0/off", [])), 1000 * seconds + 100);
	showPairs("now draw where these sounds should be");
}

listen(/^\/latent$/, (match, z) => {
	const s = state.training.source, now = performance.now();
	if (!s || !state.terrain || z.length !== state.terrain.latentDim) return;
	if (now >= s.start && now <= s.start + 1000 * s.seconds) s.latents.push([now - s.start, z]);
});

// The drawn path's place at a fraction (0..1) of the time it took to draw.
function placeAt(path, f) {
	const t0 = path[0][0], t = t0 + f * (path[path.length - 1][0] - t0);
	let i = 1;
	while (i < path.length - 1 && path[i][0] < t) i++;
	const [ta, ...a] = path[i - 1], [tb, ...b] = path[i];
	const w = tb > ta ? Math.min(1, Math.max(0, (t - ta) / (tb - ta))) : 1;
	return a.map((v, d) => v + w * (b[d] - v));
}

function pairWith(p) {
	const t = state.training, s = t.source;
	t.source = null;
	if (s.latents.length < 2) return showPairs("no sound was heard along the first path: draw it again");
	for (const [ms, z] of s.latents) {
		const f = Math.min(1, ms / (1000 * s.seconds));
		queue(osc.floats("/train/add", [...placeAt(p.path, f), ...z]));
	}
	t.pairs.push({from: s.from, to: p.path.map(([, x, y]) => [x, y]), frames: s.latents.length});
	showPairs();
}

// The pairs leave a few dozen at a time, one batch per 20 ms: the web
// thread forwards each as a UDP datagram, and a long path's hundreds at
// once could overflow the OSC socket's buffer. /train/run and /train/clear
// queue behind them, so that they act on every pair drawn before.
const outbox = [];
const BATCH = 32;
function queue(packet) {
	if (outbox.push(packet) === 1) setTimeout(pump, 0);
}
function pump() {
	for (const packet of outbox.splice(0, BATCH)) send(packet);
	if (outbox.length) setTimeout(pump, 20);
}

function showPairs(text) {
	const frames = state.training.pairs.reduce((n, p) => n + p.frames, 0);
	$("train-pairs").textContent =
	    text || `${state.training.pairs.length} paths paired (${frames} frames): draw more, or train`;
}

$("train-run").addEventListener("click", () => {
	state.training.running = true;
	$("train-progress").value = 0;
	queue(osc.message("/train/run", [["i", Math.max(1, Math.round(Number($("train-epochs").value) || 10))]]));
	showPairs("training…");
});

$("train-clear").addEventListener("click", () => {
	Object.assign(state.training, {pairs: [], source: null});
	queue(osc.message("/train/clear", []));
	showPairs();
});

listen(/^\/train\/progress$/, (match, [epoch, epochs, loss]) => {
	$("train-progress").value = epoch / epochs;
	showPairs(`training: epoch ${epoch} / ${epochs}, loss ${loss.toFixed(4)}`);
});

listen(/^\/(done|fail)$/, (match, [address]) => {
	if (address !== "/train/run") return;
	state.training.running = false;
	if (match[1] === "done") showPairs("trained: the new terrain plays");
	else showPairs(); // the reason shows at the bottom of the surface
});

// The pairs over the terrain: where the sounds were (dashed), where they go.
layers.push((ctx) => {
	if (state.mode !== "train") return;
	for (const p of state.training.pairs) {
		drawPath(ctx, p.from, "rgba(160, 255, 160, 0.7)", [4, 4]);
		drawPath(ctx, p.to, "rgba(120, 255, 120, 0.95)");
	}
	if (state.training.source) drawPath(ctx, state.training.source.from, "rgba(160, 255, 160, 0.7)", [4, 4]);
});
