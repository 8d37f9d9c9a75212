// The terrain's labels on the web surface: the named places of the playing
// terrain (where a corpus's instruments lie: docs/terrain-format.md), as
// rings with their names over the picture. They come with each picture
// (/web/labels version name x y ...). Shown by default on a laptop; off by
// default on a phone (a small touch screen needs its room to play), where
// the "names" switch under the surface turns them on. docs/web.md.
"use strict";

state.labels = []; // [{name, x, y}], the playing terrain's
const labelSwitch = $("labels-shown");
labelSwitch.checked = !window.matchMedia("(pointer: coarse) and (max-width: 900px)").matches;

listen(/^\/web\/labels$/, (match, args) => {
	state.labels = [];
	for (let i = 1; i + 2 < args.length; i += 3) state.labels.push({name: args[i], x: args[i + 1], y: args[i + 2]});
	$("labels-switch").hidden = state.labels.length === 0;
});

const RING = 6, GAP = 10, LINE = 15;
const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

// Where each name goes: beside its ring, right or left, level with it or a
// line or two above or below, the first place no ring and no name placed
// before covers (as terraind plot places them: src/model/plot.c).
function placeNames(ctx, places) {
	ctx.font = "12px system-ui, sans-serif";
	const taken = places.map(([px, py]) => ({x0: px - RING - 1, y0: py - RING - 1, x1: px + RING + 1, y1: py + RING + 1}));
	return places.map(([px, py], i) => {
		const w = ctx.measureText(state.labels[i].name).width;
		let chosen = null;
		for (const shift of [0, -LINE, LINE, -2 * LINE, 2 * LINE]) {
			for (const x of [px + GAP, px - GAP - w]) {
				const box = {x0: x, y0: py + shift - 7, x1: x + w, y1: py + shift + 7};
				if (!taken.some((t) => overlaps(box, t))) chosen = chosen || box;
			}
		}
		chosen = chosen || {x0: px + GAP, y0: py - 7, x1: px + GAP + w, y1: py + 7};
		taken.push(chosen);
		return [chosen.x0, (chosen.y0 + chosen.y1) / 2];
	});
}

layers.push((ctx) => {
	if (!labelSwitch.checked || !state.labels.length) return;
	const places = state.labels.map((l) => toSurface(l.x, l.y));
	const names = placeNames(ctx, places);
	state.labels.forEach((l, i) => {
		const [px, py] = places[i];
		ctx.beginPath();
		ctx.arc(px, py, RING, 0, 2 * Math.PI);
		ctx.lineWidth = 4;
		ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
		ctx.stroke();
		ctx.lineWidth = 2;
		ctx.strokeStyle = "#fff";
		ctx.stroke();
		drawLabel(ctx, l.name, names[i]);
	});
});
