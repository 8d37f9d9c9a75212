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

layers.push((ctx) => {
	if (!labelSwitch.checked) return;
	for (const l of state.labels) {
		const [px, py] = toSurface(l.x, l.y);
		ctx.beginPath();
		ctx.arc(px, py, 6, 0, 2 * Math.PI);
		ctx.lineWidth = 4;
		ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
		ctx.stroke();
		ctx.lineWidth = 2;
		ctx.strokeStyle = "#fff";
		ctx.stroke();
		drawLabel(ctx, l.name, [px + 10, py]);
	}
});
