/**
 * Multinomial logistic (softmax) regression over sparse feature vectors, L2-regularised, fitted by
 * L-BFGS. Written here rather than taken from a package: the maintained JS options are one-vs-rest on
 * dense matrices without regularisation (ml-logistic-regression) or a full tensor runtime
 * (TensorFlow.js); see docs/decisions/007-framework-recommender.md.
 */

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface SoftmaxWeights {
  /** classes × features, row-major. */
  weights: Float64Array;
  bias: Float64Array;
  classes: number;
  features: number;
}

export interface FitOptions {
  classes: number;
  features: number;
  /** L2 strength on the weights (not the bias), per example. */
  l2: number;
  maxIterations?: number;
  tolerance?: number;
}

export function logits(model: SoftmaxWeights, x: SparseVector): Float64Array {
  const out = new Float64Array(model.classes);
  for (let k = 0; k < model.classes; k++) {
    let z = model.bias[k]!;
    const row = k * model.features;
    for (let j = 0; j < x.indices.length; j++) z += model.weights[row + x.indices[j]!]! * x.values[j]!;
    out[k] = z;
  }
  return out;
}

export function softmax(z: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]! / temperature);
  const e = Array.from(z, (v) => Math.exp(v / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Mean cross-entropy + l2/2·‖W‖² and its gradient, for parameters laid out as [W..., b...]. */
function objective(theta: Float64Array, xs: SparseVector[], ys: number[], o: FitOptions, grad: Float64Array): number {
  const { classes: K, features: D, l2 } = o;
  const wSize = K * D;
  grad.fill(0);
  let loss = 0;
  const z = new Float64Array(K);
  for (let n = 0; n < xs.length; n++) {
    const x = xs[n]!;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = theta[wSize + k]!;
      const row = k * D;
      for (let j = 0; j < x.indices.length; j++) s += theta[row + x.indices[j]!]! * x.values[j]!;
      z[k] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
    const logSum = max + Math.log(sum);
    loss += logSum - z[ys[n]!]!;
    for (let k = 0; k < K; k++) {
      const delta = (Math.exp(z[k]! - logSum) - (k === ys[n] ? 1 : 0)) / xs.length;
      grad[wSize + k]! += delta;
      const row = k * D;
      for (let j = 0; j < x.indices.length; j++) grad[row + x.indices[j]!]! += delta * x.values[j]!;
    }
  }
  loss /= xs.length;
  let reg = 0;
  for (let i = 0; i < wSize; i++) {
    reg += theta[i]! * theta[i]!;
    grad[i]! += l2 * theta[i]!;
  }
  return loss + (l2 / 2) * reg;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Fits the model; deterministic for the same inputs (zero start, no sampling). */
export function fitSoftmaxRegression(xs: SparseVector[], ys: number[], options: FitOptions): SoftmaxWeights {
  const { classes: K, features: D } = options;
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-7;
  const size = K * D + K;
  let theta = new Float64Array(size);
  let grad = new Float64Array(size);
  let f = objective(theta, xs, ys, options, grad);
  const memory = 10;
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const nextGrad = new Float64Array(size);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // Two-loop recursion: direction = -H·g.
    const q = Float64Array.from(grad);
    const alphas: number[] = [];
    for (let i = sHist.length - 1; i >= 0; i--) {
      const a = rhoHist[i]! * dot(sHist[i]!, q);
      alphas[i] = a;
      const y = yHist[i]!;
      for (let t = 0; t < size; t++) q[t]! -= a * y[t]!;
    }
    const last = sHist.length - 1;
    const gamma = last >= 0 ? dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!) : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let t = 0; t < size; t++) q[t]! *= gamma;
    for (let i = 0; i < sHist.length; i++) {
      const b = rhoHist[i]! * dot(yHist[i]!, q);
      const s = sHist[i]!;
      for (let t = 0; t < size; t++) q[t]! += s[t]! * (alphas[i]! - b);
    }
    const direction = q.map((v) => -v);
    let slope = dot(grad, direction);
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let t = 0; t < size; t++) direction[t] = -grad[t]!;
      slope = -dot(grad, grad);
    }
    // Backtracking line search (Armijo).
    let step = 1;
    let candidate = new Float64Array(size);
    let fNext = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let t = 0; t < size; t++) candidate[t] = theta[t]! + step * direction[t]!;
      fNext = objective(candidate, xs, ys, options, nextGrad);
      if (fNext <= f + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNext < f)) break;
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let t = 0; t < size; t++) {
      s[t] = candidate[t]! - theta[t]!;
      y[t] = nextGrad[t]! - grad[t]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
      if (sHist.length > memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
    }
    const improvement = f - fNext;
    [theta, candidate] = [candidate, theta];
    grad = Float64Array.from(nextGrad);
    f = fNext;
    if (improvement < tolerance * Math.max(1, Math.abs(f))) break;
  }
  return { weights: theta.slice(0, K * D), bias: theta.slice(K * D), classes: K, features: D };
}
