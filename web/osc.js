// OSC 1.0 messages as bytes, for the WebSocket to terraind: the daemon's
// OSC port gets exactly what a UDP controller would send. Types: i (int32),
// f (float32), s (string), b (blob, as a Uint8Array) both ways; h, d and T/F
// are read too.
"use strict";

const osc = (() => {
	const encoder = new TextEncoder(), decoder = new TextDecoder();
	const pad4 = (n) => (n + 3) & ~3;

	function stringBytes(text) {
		const bytes = encoder.encode(text);
		const out = new Uint8Array(pad4(bytes.length + 1));
		out.set(bytes);
		return out;
	}

	// osc.message("/voice/0/xy", [["f", 0.5], ["f", 0.2]]) -> ArrayBuffer
	function message(address, args) {
		const parts = [stringBytes(address), stringBytes("," + args.map((a) => a[0]).join(""))];
		for (const [type, value] of args) {
			if (type === "s") {
				parts.push(stringBytes(value));
				continue;
			}
			const word = new DataView(new ArrayBuffer(4));
			if (type === "i") word.setInt32(0, value);
			else if (type === "f") word.setFloat32(0, value);
			else throw new Error("osc.message: no type " + type);
			parts.push(new Uint8Array(word.buffer));
		}
		const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
		let at = 0;
		for (const p of parts) {
			out.set(p, at);
			at += p.length;
		}
		return out.buffer;
	}

	// Floats only, the common case: osc.floats("/voice/0/xy", [x, y]).
	const floats = (address, values) => message(address, values.map((v) => ["f", v]));

	function readString(view, at) {
		let end = at;
		while (end < view.byteLength && view.getUint8(end) !== 0) end++;
		const text = decoder.decode(new Uint8Array(view.buffer, view.byteOffset + at, end - at));
		return [text, pad4(end + 1)];
	}

	// ArrayBuffer -> {address, args} (args as JavaScript values), or null
	// for what is not a message (bundles are not sent to pages).
	function parse(buffer) {
		const view = new DataView(buffer);
		if (view.byteLength < 4 || view.getUint8(0) !== 0x2f) return null;
		let [address, at] = readString(view, 0);
		let types;
		[types, at] = readString(view, at);
		const args = [];
		for (const t of types.slice(1)) {
			if (t === "i") args.push(view.getInt32(at)), (at += 4);
			else if (t === "f") args.push(view.getFloat32(at)), (at += 4);
			else if (t === "h") args.push(Number(view.getBigInt64(at))), (at += 8);
			else if (t === "d") args.push(view.getFloat64(at)), (at += 8);
			else if (t === "s") {
				let s;
				[s, at] = readString(view, at);
				args.push(s);
			} else if (t === "b") {
				const n = view.getInt32(at);
				args.push(new Uint8Array(buffer, at + 4, n));
				at += 4 + pad4(n);
			} else if (t === "T" || t === "F") args.push(t === "T");
			else return null;
		}
		return { address, args };
	}

	return { message, floats, parse };
})();
