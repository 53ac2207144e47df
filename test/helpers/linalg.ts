/** Small dense linear algebra for tests (row-major Float64Array matrices). */

/** Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations: values descending, vectors as columns. */
export function symmetricEigen(a: Float64Array, n: number): { values: number[]; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j]! - m[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values: order.map((i) => m[i * n + i]!), vectors };
}

/** Orthonormal basis (Gram-Schmidt) of the span of k column vectors of length d, given as columns of a d x k matrix. */
export function orthonormalColumns(a: Float64Array, d: number, k: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += q[r * k + i]! * q[r * k + j]!;
      for (let r = 0; r < d; r++) q[r * k + j] -= dot * q[r * k + i]!;
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += q[r * k + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) q[r * k + j] /= norm;
  }
  return q;
}

/**
 * Largest principal angle (degrees) between the spans of two orthonormal d x k bases:
 * the cosines of the angles are the singular values of Q1^T Q2; the largest angle comes from the smallest.
 */
export function largestPrincipalAngle(q1: Float64Array, q2: Float64Array, d: number, k: number): number {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += q1[r * k + i]! * q2[r * k + j]!;
      m[i * k + j] = s;
    }
  const mtm = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < k; r++) s += m[r * k + i]! * m[r * k + j]!;
      mtm[i * k + j] = s;
    }
  const { values } = symmetricEigen(mtm, k);
  const smallestCos = Math.sqrt(Math.max(0, Math.min(1, values[k - 1]!)));
  return (Math.acos(smallestCos) * 180) / Math.PI;
}
