/* Interactive explorers of the book: computed in the reader's browser, no kernel, no network.
 *
 * Each element <div class="cnnbook-widget" data-widget="NAME" id="ID"> on a page becomes one
 * explorer. The numerics below follow cnnbook (conv.correlate/convolve with the same mode padding,
 * conv.conv_output_size, gabor.gabor_kernel/grating/simple_cell/complex_cell), and the browser tests
 * compare the numbers each widget reports (its output() state and its status sentence) with the
 * library. Each widget registers itself as window.cnnbookWidgets[ID], whose output() returns its
 * current inputs and results.
 */
(function () {
  "use strict";

  const registry = (window.cnnbookWidgets = window.cnnbookWidgets || {});
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = { x: "#1f77b4", w: "#d62728", s: "#2ca02c", accent: "#ff7f0e", ref: "#7f7f7f" };

  // ------------------------------------------------------------------ numerics (as in cnnbook)

  /** Zeros before and after one axis so that 'valid' windows give the output of `mode`. */
  function modePadding(k, mode) {
    if (mode === "valid") return [0, 0];
    if (mode === "full") return [k - 1, k - 1];
    const after = Math.floor((k - 1) / 2);
    return [k - 1 - after, after];
  }

  /** 1-D cross-correlation s[i] = sum_m xp[i + m] w[m] of the zero-padded input xp. */
  function correlate1d(x, w, mode) {
    const [before, after] = modePadding(w.length, mode);
    const xp = new Array(before).fill(0).concat(x, new Array(after).fill(0));
    const out = [];
    for (let i = 0; i + w.length <= xp.length; i++) {
      let acc = 0;
      for (let m = 0; m < w.length; m++) acc += xp[i + m] * w[m];
      out.push(acc);
    }
    return { s: out, padBefore: before, padded: xp };
  }

  /** 2-D cross-correlation of rows-of-numbers arrays, as cnnbook.conv.correlate. */
  function correlate2d(x, w, mode) {
    const [rb, ra] = modePadding(w.length, mode);
    const [cb, ca] = modePadding(w[0].length, mode);
    const rows = x.length + rb + ra - w.length + 1;
    const cols = x[0].length + cb + ca - w[0].length + 1;
    const at = (r, c) => {
      const i = r - rb, j = c - cb;
      return i >= 0 && i < x.length && j >= 0 && j < x[0].length ? x[i][j] : 0;
    };
    const s = [];
    for (let i = 0; i < rows; i++) {
      const row = [];
      for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let m = 0; m < w.length; m++) {
          for (let n = 0; n < w[0].length; n++) acc += at(i + m, j + n) * w[m][n];
        }
        row.push(acc);
      }
      s.push(row);
    }
    return { s, padBefore: [rb, cb], at };
  }

  const flip1d = (w) => w.slice().reverse();
  const flip2d = (w) => w.slice().reverse().map((row) => row.slice().reverse());

  /** Output size floor((n + 2p - d(k - 1) - 1) / s) + 1 of cnnbook.conv.conv_output_size. */
  function outputSize(n, k, stride, padding, dilation) {
    return Math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
  }

  /** The centred grid of cnnbook.gabor.grid: x_j = j - (n-1)/2 (columns), y_i = i - (n-1)/2. */
  function centred(n) {
    return Array.from({ length: n }, (_, i) => i - (n - 1) / 2);
  }

  /** gabor_kernel(n, alpha, beta_x, beta_y, f, phi, tau) with x0 = y0 = 0. */
  function gaborKernel(n, p) {
    const g = centred(n), c = Math.cos(p.tau), sn = Math.sin(p.tau);
    return g.map((y) => g.map((x) => {
      const xr = x * c + y * sn, yr = -x * sn + y * c;
      return p.alpha * Math.exp(-p.beta_x * xr * xr - p.beta_y * yr * yr) * Math.cos(p.f * xr + p.phi);
    }));
  }

  /** grating(n, f, tau, phi): I(x, y) = cos(f (x cos tau + y sin tau) + phi). */
  function grating(n, f, tau, phi) {
    const g = centred(n), c = Math.cos(tau), sn = Math.sin(tau);
    return g.map((y) => g.map((x) => Math.cos(f * (x * c + y * sn) + phi)));
  }

  /** simple_cell(I, w) for one patch: sum of w * I. */
  function dot2d(a, b) {
    let acc = 0;
    for (let i = 0; i < a.length; i++) for (let j = 0; j < a[0].length; j++) acc += a[i][j] * b[i][j];
    return acc;
  }

  // ------------------------------------------------------------------ small DOM helpers

  let counter = 0;
  const uid = (prefix) => `${prefix}-${++counter}`;

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const fmt = (v, digits = 3) => {
    const r = Number(v.toFixed(digits));
    return Object.is(r, -0) ? "0" : String(r);
  };

  /** Text with subscripts: parts are strings, or {sub: "y"} for a subscript. */
  const rich = (parts) => [].concat(parts).map((t) => (typeof t === "string" ? document.createTextNode(t) : el("sub", { text: t.sub })));

  /** A labelled slider with its value shown; `display` formats the value for reading, `speak` names
   * the slider for screen readers when its label holds symbols (a rich label, see `rich`). */
  function slider(parent, { label, min, max, step, value, name, display, speak }) {
    const id = uid("cnnbook-in");
    const input = el("input", { type: "range", id, min, max, step, value, name, "aria-label": speak });
    const shown = el("output", { for: id });
    const show = () => {
      const v = Number(input.value);
      shown.textContent = display ? display(v) : fmt(v);
      input.setAttribute("aria-valuetext", shown.textContent);
    };
    input.addEventListener("input", show);
    input.refresh = show;  // after a script changes min, max or value
    show();
    parent.append(el("div", { class: "cnnbook-control" }, [el("label", { for: id }, rich(label)), input, shown]));
    return input;
  }

  function select(parent, { label, options, value, name }) {
    const id = uid("cnnbook-in");
    const input = el("select", { id, name }, options.map(([v, text]) => el("option", { value: v, text })));
    input.value = value;
    parent.append(el("div", { class: "cnnbook-control" }, [el("label", { for: id, text: label }), input]));
    return input;
  }

  function textInput(parent, { label, value, name }) {
    const id = uid("cnnbook-in");
    const input = el("input", { type: "text", id, value, name, spellcheck: "false", autocomplete: "off" });
    parent.append(el("div", { class: "cnnbook-control cnnbook-control-wide" }, [el("label", { for: id, text: label }), input]));
    return input;
  }

  /** A number for a sentence: as fmt, with a true minus sign (U+2212) that screen readers speak. */
  const say = (v, digits = 3) => fmt(v, digits).replace("-", "\u2212");

  const piLabel = (v) => (Math.abs(v) < 1e-12 ? "0" : `${fmt(v / Math.PI, 3)}π`);

  function parseNumbers(text, name) {
    const parts = text.split(/[\s,;]+/).filter((t) => t.length);
    if (!parts.length) throw new Error(`${name} must hold at least one number`);
    return parts.map((t) => {
      const v = Number(t);
      if (!Number.isFinite(v)) throw new Error(`${name}: “${t}” is not a number`);
      return v;
    });
  }

  /** Colour of a value: grey scale on [lo, hi], or the diverging blue-white-red map on [-lim, lim]. */
  function colour(v, scale) {
    if (scale.signed) {
      const t = Math.max(-1, Math.min(1, v / scale.lim));
      const [r0, g0, b0] = t < 0 ? [33, 102, 172] : [178, 24, 43];
      const a = Math.abs(t);
      return `rgb(${Math.round(255 + (r0 - 255) * a)},${Math.round(255 + (g0 - 255) * a)},${Math.round(255 + (b0 - 255) * a)})`;
    }
    const t = scale.hi > scale.lo ? (v - scale.lo) / (scale.hi - scale.lo) : 0.5;
    const g = Math.round(255 * Math.max(0, Math.min(1, t)));
    return `rgb(${g},${g},${g})`;
  }

  function scaleOf(a, signed) {
    let lo = Infinity, hi = -Infinity;
    for (const row of a) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (signed === undefined) signed = lo < 0;
    return { signed, lim: Math.max(Math.abs(lo), Math.abs(hi)) || 1, lo, hi };
  }

  /** Draw a 2-D array on a canvas, `cell` pixels per entry. */
  function paint(canvas, a, cell, scale) {
    canvas.width = a[0].length * cell;
    canvas.height = a.length * cell;
    const ctx = canvas.getContext("2d");
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < a[0].length; j++) {
        ctx.fillStyle = colour(a[i][j], scale);
        ctx.fillRect(j * cell, i * cell, cell, cell);
      }
    }
    return ctx;
  }

  function outline(ctx, x, y, w, h, color) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = color;
    ctx.strokeRect(x + 1, y + 1, w - 2, h - 2);
  }

  function frame(root, title) {
    root.classList.add("cnnbook-widget-live");
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", title);
    const controls = el("div", { class: "cnnbook-controls" });
    const view = el("div", { class: "cnnbook-view" });
    const status = el("p", { class: "cnnbook-status", "aria-live": "polite" });
    root.replaceChildren(controls, view, status);
    return { controls, view, status };
  }

  // ------------------------------------------------------------------ 1-D convolution

  function conv1d(root) {
    const { controls, view, status } = frame(root, "One-dimensional convolution explorer");
    const xIn = textInput(controls, { label: "input x", value: root.dataset.x || "0, 0, 1, 2, 3, 2, 1, 0, 0", name: "x" });
    const wIn = textInput(controls, { label: "kernel w", value: root.dataset.w || "1, 0, -1", name: "w" });
    const opIn = select(controls, { label: "operation", name: "op", value: "convolution",
      options: [["convolution", "convolution x ∗ w (kernel flipped)"], ["cross-correlation", "cross-correlation x ⋆ w (no flip)"]] });
    const modeIn = select(controls, { label: "mode", name: "mode", value: "full",
      options: [["full", "full"], ["valid", "valid"], ["same", "same"]] });
    const posIn = slider(controls, { label: "output index i", min: 0, max: 0, step: 1, value: 0, name: "i" });
    const plot = svg("svg", { class: "cnnbook-svg", role: "img" });
    view.append(plot);
    let state = {};

    function update() {
      let x, w;
      try {
        x = parseNumbers(xIn.value, "x");
        w = parseNumbers(wIn.value, "w");
        if (modeIn.value === "valid" && w.length > x.length) {
          throw new Error(`w (length ${w.length}) must not be longer than x (length ${x.length}) in 'valid' mode`);
        }
      } catch (err) {
        state = { error: err.message };
        plot.replaceChildren();
        status.textContent = err.message;
        status.setAttribute("role", "alert");
        return;
      }
      status.removeAttribute("role");
      const op = opIn.value, mode = modeIn.value;
      const used = op === "convolution" ? flip1d(w) : w;
      const { s, padBefore, padded } = correlate1d(x, used, mode);
      posIn.max = s.length - 1;
      const i = Math.min(Number(posIn.value), s.length - 1);
      posIn.value = i;
      posIn.refresh();
      state = { x, w, op, mode, kernel_used: used, s, i };
      draw(x, used, s, padBefore, padded, i, op);
      const terms = used.map((wm, m) => `${say(padded[i + m])} × ${say(wm)}`).join(" + ");
      status.textContent = `s[${i}] = ${terms} = ${say(s[i])}`;
    }

    function draw(x, used, s, padBefore, padded, i, op) {
      const cell = 34, left = 86, n = padded.length, top = 18;
      const width = left + n * cell + 10, height = 250;
      plot.setAttribute("viewBox", `0 0 ${width} ${height}`);
      plot.setAttribute("aria-label",
        `Input x of ${x.length} samples padded to ${n}, the kernel ${op === "convolution" ? "flipped" : "as given"} ` +
        `placed at output index ${i}, and the ${s.length} outputs s, each drawn under the input of the same index.`);
      plot.replaceChildren();
      const rows = [["index", top - 4], ["x (padded)", top + 40], [op === "convolution" ? "w flipped" : "w", top + 110], ["s", top + 185]];
      for (const [name, y] of rows) plot.append(svg("text", { x: 4, y: y + 5, class: "cnnbook-svg-label" }, name));
      const box = (col, y, v, color, opts = {}) => {
        const g = svg("g", { "data-row": opts.row, "data-index": opts.index });
        g.append(svg("rect", { x: left + col * cell + 2, y: y - 14, width: cell - 4, height: 28, rx: 4,
          fill: opts.fill || "none", stroke: color, "stroke-width": opts.bold ? 3 : 1.5,
          "stroke-dasharray": opts.dashed ? "4 3" : "none" }));
        g.append(svg("text", { x: left + col * cell + cell / 2, y: y + 5, "text-anchor": "middle", class: "cnnbook-svg-value" }, fmt(v, 2)));
        plot.append(g);
      };
      // the window of output i spans padded positions i .. i + k - 1
      plot.append(svg("rect", { x: left + i * cell, y: top + 18, width: used.length * cell, height: 114, rx: 6,
        fill: COLORS.accent, "fill-opacity": 0.12, stroke: COLORS.accent, "stroke-width": 1 }));
      // padded column c holds x[c - padBefore] (zero outside 0 .. n - 1); its index is written above it
      padded.forEach((v, c) => {
        plot.append(svg("text", { x: left + c * cell + cell / 2, y: top + 1, "text-anchor": "middle", class: "cnnbook-svg-value" },
          say(c - padBefore, 0)));
        box(c, top + 40, v, COLORS.x, { dashed: c < padBefore || c >= padBefore + x.length, row: "x", index: c - padBefore });
      });
      used.forEach((v, m) => box(i + m, top + 110, v, COLORS.w, { row: "w", index: m }));
      // output s[j] is drawn under x[j] (padded column j + padBefore): a shift of the signal shows as one
      s.forEach((v, j) => box(j + padBefore, top + 185, v, COLORS.s,
        { bold: j === i, fill: j === i ? "rgba(44,160,44,0.18)" : "none", row: "s", index: j }));
    }

    for (const input of [xIn, wIn, opIn, modeIn, posIn]) input.addEventListener("input", update);
    update();
    return { output: () => JSON.parse(JSON.stringify(state)) };
  }

  // ------------------------------------------------------------------ 2-D convolution on an image

  const PRESETS = {
    identity: [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    "Gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "edges (Laplacian)": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
    "vertical edges (Sobel)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
  };

  function conv2d(root) {
    const image = JSON.parse(root.dataset.image);
    const x = [];
    for (let i = 0; i < image.rows; i++) x.push(image.data.slice(i * image.cols, (i + 1) * image.cols));
    const { controls, view, status } = frame(root, "Two-dimensional convolution explorer on a photograph");
    const presetIn = select(controls, { label: "preset kernel", name: "preset", value: "edges (Laplacian)",
      options: Object.keys(PRESETS).map((k) => [k, k]).concat([["custom", "custom"]]) });
    const opIn = select(controls, { label: "operation", name: "op", value: "cross-correlation",
      options: [["cross-correlation", "cross-correlation (as a CNN layer)"], ["convolution", "convolution (kernel flipped)"]] });
    const modeIn = select(controls, { label: "mode", name: "mode", value: "valid",
      options: [["valid", "valid"], ["same", "same (zero padding)"]] });
    const grid = el("fieldset", { class: "cnnbook-kernel-grid" }, [el("legend", { text: "kernel w (3 × 3)" })]);
    const cells = [];
    for (let m = 0; m < 3; m++) {
      for (let n = 0; n < 3; n++) {
        const input = el("input", { type: "number", step: "any", name: `w${m}${n}`, "aria-label": `w[${m}, ${n}]` });
        cells.push(input);
        grid.append(input);
      }
    }
    controls.append(grid);
    const inCanvas = el("canvas", { role: "img", "aria-label": `Input x: a ${image.rows} by ${image.cols} greyscale photograph (${image.title}).` });
    const outCanvas = el("canvas", { tabindex: 0, role: "application", class: "cnnbook-focusable",
      "aria-label": "Feature map s. Point at a pixel, or focus here and use the arrow keys, to see the patch times kernel sum." });
    const explain = el("div", { class: "cnnbook-explain" });
    view.append(el("figure", {}, [inCanvas, el("figcaption", { text: "input x" })]),
      el("figure", {}, [outCanvas, el("figcaption", { text: "feature map s" })]), explain);
    const cellPx = 4;
    let state = {}, sel = [Math.floor(image.rows / 3), Math.floor(image.cols / 2)], result = null, kernel = null;

    function setKernel(w) { w.flat().forEach((v, k) => { cells[k].value = String(Number(v.toFixed(6))); }); }

    function readKernel() {
      const w = [[], [], []];
      cells.forEach((input, k) => {
        const v = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(v)) throw new Error(`w[${Math.floor(k / 3)}, ${k % 3}] is not a number`);
        w[Math.floor(k / 3)].push(v);
      });
      return w;
    }

    function compute() {
      try { kernel = readKernel(); } catch (err) {
        status.textContent = err.message; status.setAttribute("role", "alert"); state = { error: err.message }; return;
      }
      status.removeAttribute("role");
      const used = opIn.value === "convolution" ? flip2d(kernel) : kernel;
      result = correlate2d(x, used, modeIn.value);
      result.used = used;
      sel = [Math.min(sel[0], result.s.length - 1), Math.min(sel[1], result.s[0].length - 1)];
      paintAll();
    }

    function paintAll() {
      const { s, used, padBefore, at } = result;
      const inCtx = paint(inCanvas, x, cellPx, { signed: false, lo: 0, hi: 1 });
      const scale = scaleOf(s);
      const outCtx = paint(outCanvas, s, cellPx, scale);
      const [i, j] = sel;
      outline(outCtx, j * cellPx - 2, i * cellPx - 2, cellPx + 4, cellPx + 4, COLORS.accent);
      outline(inCtx, (j - padBefore[1]) * cellPx - 2, (i - padBefore[0]) * cellPx - 2, 3 * cellPx + 4, 3 * cellPx + 4, COLORS.accent);
      const patch = [0, 1, 2].map((m) => [0, 1, 2].map((n) => at(i + m, j + n)));
      state = { x, w: kernel, op: opIn.value, mode: modeIn.value, kernel_used: used, s,
        selected: { i, j, patch, value: s[i][j] } };
      const table = el("table", { class: "cnnbook-patch" }, [el("caption", { text: `s[${i}, ${j}] = Σ patch × ${opIn.value === "convolution" ? "flipped kernel" : "kernel"}` })]);
      for (let m = 0; m < 3; m++) {
        table.append(el("tr", {}, [0, 1, 2].map((n) => el("td", { text: `${fmt(patch[m][n], 2)} × ${fmt(used[m][n], 3)}` }))));
      }
      explain.replaceChildren(table, el("p", { class: "cnnbook-sum", text: `= ${fmt(s[i][j], 4)}` }));
      status.textContent = `Output pixel row ${i}, column ${j}: ${say(s[i][j], 4)}. ` +
        `Feature map ${s.length} × ${s[0].length}, values from ${say(scale.lo, 3)} to ${say(scale.hi, 3)}` +
        (scale.signed ? " (blue negative, red positive)." : " (grey scale).");
    }

    function pick(i, j) {
      if (!result) return;
      sel = [Math.max(0, Math.min(result.s.length - 1, i)), Math.max(0, Math.min(result.s[0].length - 1, j))];
      paintAll();
    }

    const pointAt = (ev) => {
      const r = outCanvas.getBoundingClientRect();
      if (result) pick(Math.floor((ev.clientY - r.top) / r.height * result.s.length), Math.floor((ev.clientX - r.left) / r.width * result.s[0].length));
    };
    outCanvas.addEventListener("pointermove", pointAt);  // mouse, pen, and a finger that drags
    outCanvas.addEventListener("pointerdown", pointAt);  // a tap
    outCanvas.addEventListener("keydown", (ev) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (!(ev.key in moves)) return;
      ev.preventDefault();
      pick(sel[0] + moves[ev.key][0], sel[1] + moves[ev.key][1]);
    });
    presetIn.addEventListener("input", () => { if (presetIn.value !== "custom") { setKernel(PRESETS[presetIn.value]); compute(); } });
    cells.forEach((c) => c.addEventListener("input", () => { presetIn.value = "custom"; compute(); }));
    opIn.addEventListener("input", compute);
    modeIn.addEventListener("input", compute);
    setKernel(PRESETS[presetIn.value]);
    compute();
    return { output: () => JSON.parse(JSON.stringify(state)), pick };
  }

  // ------------------------------------------------------------------ stride, padding, dilation

  function arithmetic(root) {
    const { controls, view, status } = frame(root, "Stride, padding and dilation explorer");
    const nIn = slider(controls, { label: "input size n", min: 1, max: 12, step: 1, value: 7, name: "n" });
    const kIn = slider(controls, { label: "kernel size k", min: 1, max: 7, step: 1, value: 3, name: "k" });
    const sIn = slider(controls, { label: "stride s", min: 1, max: 4, step: 1, value: 2, name: "stride" });
    const pIn = slider(controls, { label: "padding p (per side)", min: 0, max: 4, step: 1, value: 1, name: "padding" });
    const dIn = slider(controls, { label: "dilation d", min: 1, max: 4, step: 1, value: 1, name: "dilation" });
    let o = 1;  // the output size along each axis; the position slider runs over the o × o outputs row by row
    const posIn = slider(controls, { label: "output position", min: 0, max: 0, step: 1, value: 0, name: "position",
      display: (v) => (o < 1 ? "no output" : `row ${Math.floor(v / o)}, column ${v % o}`) });
    const formula = el("p", { class: "cnnbook-formula" });
    const plot = svg("svg", { class: "cnnbook-svg", role: "img" });
    view.append(formula, plot);
    let state = {};

    function update() {
      const n = +nIn.value, k = +kIn.value, stride = +sIn.value, padding = +pIn.value, dilation = +dIn.value;
      o = outputSize(n, k, stride, padding, dilation);
      formula.textContent = `o = ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 = ⌊(${n} + ${2 * padding} − ${dilation * (k - 1)} − 1) / ${stride}⌋ + 1 ` +
        (o < 1 ? "< 1: no output" : `= ${o}`);
      plot.replaceChildren();
      if (o < 1) {
        state = { n, k, stride, padding, dilation, size: o, error: "the dilated kernel does not fit in the padded input" };
        status.textContent = `No output: the dilated kernel spans ${dilation * (k - 1) + 1} samples, the padded input only ${n + 2 * padding}.`;
        posIn.max = 0;
        posIn.value = 0;
        posIn.refresh();
        return;
      }
      posIn.max = o * o - 1;
      const pos = Math.min(+posIn.value, o * o - 1);
      posIn.value = pos;
      posIn.refresh();
      const i = Math.floor(pos / o), j = pos % o;
      // taps of output (i, j) in padded coordinates: row stride*i + dilation*m, column stride*j + dilation*m
      const taps = Array.from({ length: k }, (_, m) => stride * i + dilation * m);
      const tapsJ = Array.from({ length: k }, (_, m) => stride * j + dilation * m);
      state = { n, k, stride, padding, dilation, size: o, position: [i, j], rows: taps, cols: tapsJ };
      draw(n, padding, o, i, j, taps, tapsJ);
      status.textContent = `Output ${o} × ${o}; output (${i}, ${j}) reads padded rows ${taps.join(", ")} and columns ${tapsJ.join(", ")}.`;
    }

    function draw(n, p, o, i, j, rows, cols) {
      const N = n + 2 * p, cell = Math.min(26, Math.floor(300 / N)), gap = 40, outCell = Math.min(26, Math.floor(200 / o));
      const width = N * cell + gap + o * outCell + 10, height = Math.max(N * cell, o * outCell) + 30;
      plot.setAttribute("viewBox", `0 0 ${width} ${height}`);
      plot.setAttribute("aria-label", `Padded input of ${N} by ${N} cells (padding dashed), the ${rows.length} by ${rows.length} ` +
        `kernel taps of output (${i}, ${j}) marked, and the ${o} by ${o} output.`);
      plot.append(svg("text", { x: 0, y: 12, class: "cnnbook-svg-label" }, "padded input"));
      plot.append(svg("text", { x: N * cell + gap, y: 12, class: "cnnbook-svg-label" }, "output"));
      const tap = new Set();
      for (const r of rows) for (const c of cols) tap.add(`${r},${c}`);
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) {
          const pad = r < p || r >= p + n || c < p || c >= p + n;
          plot.append(svg("rect", { x: c * cell + 1, y: 20 + r * cell + 1, width: cell - 2, height: cell - 2,
            fill: tap.has(`${r},${c}`) ? COLORS.w : pad ? "none" : COLORS.x, "fill-opacity": tap.has(`${r},${c}`) ? 0.85 : 0.35,
            stroke: pad ? COLORS.ref : COLORS.x, "stroke-dasharray": pad ? "3 2" : "none" }));
        }
      }
      for (let r = 0; r < o; r++) {
        for (let c = 0; c < o; c++) {
          const on = r === i && c === j;
          plot.append(svg("rect", { x: N * cell + gap + c * outCell + 1, y: 20 + r * outCell + 1, width: outCell - 2, height: outCell - 2,
            fill: on ? COLORS.s : "none", "fill-opacity": on ? 0.85 : 0, stroke: COLORS.s }));
        }
      }
    }

    for (const input of [nIn, kIn, sIn, pIn, dIn, posIn]) input.addEventListener("input", update);
    update();
    return { output: () => JSON.parse(JSON.stringify(state)) };
  }

  // ------------------------------------------------------------------ Gabor cells

  function gabor(root) {
    const { controls, view, status } = frame(root, "Gabor simple and complex cell explorer");
    const size = Number(root.dataset.size || 21);
    const cellBox = el("fieldset", {}, [el("legend", {}, rich(["cell: w(x, y) = α exp(−β", { sub: "x" }, "x′² − β",
      { sub: "y" }, "y′²) cos(f x′ + φ)"]))]);
    const gratBox = el("fieldset", {}, [el("legend", {}, rich(["grating I(x, y) = cos(f", { sub: "g" }, " (x cos τ", { sub: "g" },
      " + y sin τ", { sub: "g" }, ") + ψ)"]))]);
    controls.append(cellBox, gratBox);
    const p = {
      alpha: slider(cellBox, { label: "α", speak: "alpha, amplitude", min: -2, max: 2, step: 0.1, value: 1, name: "alpha" }),
      beta_x: slider(cellBox, { label: ["β", { sub: "x" }], speak: "beta x, envelope along the carrier",
        min: 0.005, max: 0.5, step: 0.005, value: 0.05, name: "beta_x" }),
      beta_y: slider(cellBox, { label: ["β", { sub: "y" }], speak: "beta y, envelope across the carrier",
        min: 0.005, max: 0.5, step: 0.005, value: 0.05, name: "beta_y" }),
      f: slider(cellBox, { label: "f (rad/pixel)", speak: "f, carrier frequency in radians per pixel", min: 0, max: 2, step: 0.05, value: 0.8, name: "f" }),
      phi: slider(cellBox, { label: "φ", speak: "phi, carrier phase", min: -Math.PI, max: Math.PI, step: Math.PI / 12, value: 0, name: "phi", display: piLabel }),
      tau: slider(cellBox, { label: "τ", speak: "tau, cell orientation", min: 0, max: Math.PI, step: Math.PI / 24, value: 0, name: "tau", display: piLabel }),
    };
    const g = {
      f: slider(gratBox, { label: ["f", { sub: "g" }, " (rad/pixel)"], speak: "grating frequency f g in radians per pixel",
        min: 0, max: 2, step: 0.05, value: 0.8, name: "grating_f" }),
      tau: slider(gratBox, { label: ["τ", { sub: "g" }], speak: "grating orientation tau g",
        min: 0, max: Math.PI, step: Math.PI / 24, value: 0, name: "grating_tau", display: piLabel }),
      phase: slider(gratBox, { label: "grating phase ψ", speak: "grating phase psi", min: 0, max: 2 * Math.PI, step: Math.PI / 24, value: 0,
        name: "grating_phase", display: piLabel }),
    };
    const canvases = ["kernel w₀ (phase φ)", "kernel w₁ (phase φ + π/2)", "grating I"].map((name) =>
      el("canvas", { role: "img", "aria-label": name }));
    const figs = canvases.map((c, k) => el("figure", {}, [c, el("figcaption", { text: ["w₀ (phase φ)", "w₁ (φ + π/2)", "grating I"][k] })]));
    const plot = svg("svg", { class: "cnnbook-svg cnnbook-svg-narrow", role: "img",
      "aria-label": "Responses over a full cycle of the grating phase: simple cells s0 and s1, and the complex cell c." });
    view.append(...figs, plot);
    let state = {};

    function update() {
      const prm = Object.fromEntries(Object.entries(p).map(([k, input]) => [k, Number(input.value)]));
      const gf = Number(g.f.value), gtau = Number(g.tau.value), psi = Number(g.phase.value);
      const w0 = gaborKernel(size, prm), w1 = gaborKernel(size, { ...prm, phi: prm.phi + Math.PI / 2 });
      const img = grating(size, gf, gtau, psi);
      const s0 = dot2d(w0, img), s1 = dot2d(w1, img), c = Math.hypot(s0, s1);
      state = { size, params: prm, grating: { f: gf, tau: gtau, phi: psi }, kernel: w0, kernel_odd: w1,
        image: img, simple: s0, simple_odd: s1, complex: c };
      const lim = Math.max(...w0.flat().map(Math.abs), ...w1.flat().map(Math.abs)) || 1;
      paint(canvases[0], w0, 6, { signed: true, lim });
      paint(canvases[1], w1, 6, { signed: true, lim });
      paint(canvases[2], img, 6, { signed: false, lo: -1, hi: 1 });
      const rc = drawCurves(prm, gf, gtau, psi);
      state.complex_range = [Math.min(...rc), Math.max(...rc)];
      status.textContent = `Simple cells s₀ = ${say(s0)}, s₁ = ${say(s1)}; complex cell c = √(s₀² + s₁²) = ${say(c)}, ` +
        `between ${say(state.complex_range[0])} and ${say(state.complex_range[1])} over a full cycle of the grating phase ψ.`;
    }

    /** Draw s₀, s₁ and c over the grating phases ψ = 2πk/96, k = 0 .. 96; return the values of c. */
    function drawCurves(prm, gf, gtau, psi) {
      const w0 = gaborKernel(size, prm), w1 = gaborKernel(size, { ...prm, phi: prm.phi + Math.PI / 2 });
      const K = 96, phases = Array.from({ length: K + 1 }, (_, k) => (2 * Math.PI * k) / K);
      const r0 = [], r1 = [], rc = [];
      for (const ph of phases) {
        const img = grating(size, gf, gtau, ph);
        const a = dot2d(w0, img), b = dot2d(w1, img);
        r0.push(a); r1.push(b); rc.push(Math.hypot(a, b));
      }
      const lim = Math.max(...rc, 1e-9) * 1.1;
      const W = 460, H = 170, L = 56, T = 10, B = 30;
      const X = (ph) => L + (ph / (2 * Math.PI)) * (W - L - 10), Y = (v) => T + (1 - (v + lim) / (2 * lim)) * (H - T - B);
      plot.setAttribute("viewBox", `0 0 ${W} ${H + 20}`);
      plot.replaceChildren();
      plot.append(svg("line", { x1: L, x2: W - 10, y1: Y(0), y2: Y(0), stroke: "currentColor", "stroke-opacity": 0.4 }));
      plot.append(svg("text", { x: L - 4, y: Y(lim / 1.1) + 4, "text-anchor": "end", class: "cnnbook-svg-value" }, say(lim / 1.1, 1)));
      plot.append(svg("text", { x: L - 4, y: Y(-lim / 1.1) + 4, "text-anchor": "end", class: "cnnbook-svg-value" }, say(-lim / 1.1, 1)));
      plot.append(svg("text", { x: (W + L) / 2, y: H - 6, "text-anchor": "middle", class: "cnnbook-svg-label" }, "grating phase ψ from 0 to 2π"));
      // three lines that differ in colour, dash and width: s₀ thin solid, s₁ dashed, c thick
      const curves = [["s₀ (phase φ)", r0, COLORS.x, "none", 1.5, 0], ["s₁ (phase φ + π/2)", r1, COLORS.w, "5 3", 2, 120],
        ["c complex", rc, COLORS.s, "none", 4, 270]];
      for (const [name, vals, color, dash, width, at] of curves) {
        plot.append(svg("polyline", { fill: "none", stroke: color, "stroke-width": width, "stroke-dasharray": dash,
          points: vals.map((v, k) => `${X(phases[k])},${Y(v)}`).join(" ") }));
        plot.append(svg("line", { x1: L + at, x2: L + at + 22, y1: H + 8, y2: H + 8, stroke: color, "stroke-width": width,
          "stroke-dasharray": dash }));
        plot.append(svg("text", { x: L + at + 26, y: H + 12, class: "cnnbook-svg-value" }, name));
      }
      plot.append(svg("line", { x1: X(psi), x2: X(psi), y1: T, y2: H - B, stroke: COLORS.accent, "stroke-width": 2 }));
      return rc;
    }

    for (const input of [...Object.values(p), ...Object.values(g)]) input.addEventListener("input", update);
    update();
    return { output: () => JSON.parse(JSON.stringify(state)) };
  }

  // ------------------------------------------------------------------ start-up

  const KINDS = { conv1d, conv2d, arithmetic, gabor };

  // Mark the page at once (this script runs in the head): the CSS then hides the static figures,
  // and without JavaScript it hides the empty explorer boxes instead.
  document.documentElement.classList.add("cnnbook-js");

  function start() {
    document.querySelectorAll(".cnnbook-widget[data-widget]").forEach((root) => {
      const make = KINDS[root.dataset.widget];
      if (!make || registry[root.id]) return;
      try {
        registry[root.id] = make(root);
      } catch (err) {
        root.textContent = `This explorer could not start: ${err.message}`;
        throw err;
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
