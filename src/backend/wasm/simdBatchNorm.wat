;; latentkit's wasm SIMD loop for FusedBatchNorm (tfjs's wasm kernel is a scalar C++ loop) over
;; tfjs-backend-wasm's own memory (imported), with tfjs's C++ arithmetic, operation for operation:
;;
;;   nf[c]  = (double) sqrtf(variance[c] + eps)                       float add and sqrt, widened
;;   out[i] = (float) ((double) offset[c] + (double) ((x[i] - mean[c]) * scale[c]) / nf[c])
;;
;; i.e. the difference and the product in float32, the quotient and the sum in float64, one rounding to
;; float32 at the end. The loop does the same operations 4 values at a time (f32x4.sub/mul,
;; f64x2.promote_low_f32x4, f64x2.div, f64x2.add, f32x4.demote_f64x2_zero), and the tail one at a time: the
;; values are tfjs's bit for bit. The operands are in the order of tfjs's compiled kernel (`wasm2wat` of
;; tfjs-backend-wasm 4.22's binaries: sub(x, mean), mul(difference, scale), div(product, nf), add(quotient,
;; offset), add(variance, eps)). Where two NaNs meet, which one comes out is not fixed even for tfjs's own
;; kernel (V8's baseline code keeps the first operand's, its optimised code may swap the operands of an add:
;; the sign of such a NaN changes after a few calls), so NaN is tfjs's NaN, its sign and payload not. A missing
;; scale is 1 and a missing offset 0, as tfjs's defaults (so -0 + 0 gives +0 there too).
;;
;; - prepare: a table of p channels (p a multiple of 4 and of every parameter's size, so that value i reads
;;   channel i mod p, as tfjs's cycling indices do) at `table`: nf and offset as f64 (8p bytes each), then
;;   mean and scale as f32 (4p bytes each); 24p bytes. Sizes of scale and offset 0: absent.
;; - normalize: n values of x into y (byte offsets; n = 0 allowed) with that table.
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdBatchNorm.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  (func (export "prepare")
    (param $mean i32) (param $meanSize i32) (param $variance i32) (param $varianceSize i32)
    (param $scale i32) (param $scaleSize i32) (param $offset i32) (param $offsetSize i32)
    (param $eps f32) (param $table i32) (param $p i32)
    (local $c i32) (local $f64s i32) (local $f32s i32)
    ;; Each parameter's index, cycling over its size (a counter: i32.rem_u per value cost ~0.1 ms for 3136 channels).
    (local $mi i32) (local $vi i32) (local $si i32) (local $oi i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $c) (local.get $p)))
        (local.set $f64s (i32.add (local.get $table) (i32.shl (local.get $c) (i32.const 3))))
        (local.set $f32s (i32.add (local.get $table) (i32.add (i32.shl (local.get $p) (i32.const 4)) (i32.shl (local.get $c) (i32.const 2)))))
        ;; nf
        (f64.store (local.get $f64s)
          (f64.promote_f32 (f32.sqrt (f32.add
            (f32.load (i32.add (local.get $variance) (i32.shl (local.get $vi) (i32.const 2))))
            (local.get $eps)))))
        ;; offset (0 when absent)
        (f64.store (i32.add (local.get $f64s) (i32.shl (local.get $p) (i32.const 3)))
          (if (result f64) (local.get $offsetSize)
            (then (f64.promote_f32 (f32.load (i32.add (local.get $offset) (i32.shl (local.get $oi) (i32.const 2))))))
            (else (f64.const 0))))
        ;; mean
        (f32.store (local.get $f32s)
          (f32.load (i32.add (local.get $mean) (i32.shl (local.get $mi) (i32.const 2)))))
        ;; scale (1 when absent)
        (f32.store (i32.add (local.get $f32s) (i32.shl (local.get $p) (i32.const 2)))
          (if (result f32) (local.get $scaleSize)
            (then (f32.load (i32.add (local.get $scale) (i32.shl (local.get $si) (i32.const 2)))))
            (else (f32.const 1))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (local.set $mi (i32.add (local.get $mi) (i32.const 1)))
        (if (i32.ge_u (local.get $mi) (local.get $meanSize)) (then (local.set $mi (i32.const 0))))
        (local.set $vi (i32.add (local.get $vi) (i32.const 1)))
        (if (i32.ge_u (local.get $vi) (local.get $varianceSize)) (then (local.set $vi (i32.const 0))))
        (local.set $si (i32.add (local.get $si) (i32.const 1)))
        (if (i32.ge_u (local.get $si) (local.get $scaleSize)) (then (local.set $si (i32.const 0))))
        (local.set $oi (i32.add (local.get $oi) (i32.const 1)))
        (if (i32.ge_u (local.get $oi) (local.get $offsetSize)) (then (local.set $oi (i32.const 0))))
        (br $l))))

  (func (export "normalize") (param $x i32) (param $y i32) (param $n i32) (param $table i32) (param $p i32)
    (local $end i32) (local $vend i32) (local $j i32) (local $p4 i32)
    (local $nf i32) (local $off i32) (local $mean i32) (local $scale i32)
    (local $v v128) (local $s f32)
    (local.set $p4 (i32.shl (local.get $p) (i32.const 2)))
    (local.set $nf (local.get $table))
    (local.set $off (i32.add (local.get $table) (i32.shl (local.get $p) (i32.const 3))))
    (local.set $mean (i32.add (local.get $table) (i32.shl (local.get $p) (i32.const 4))))
    (local.set $scale (i32.add (local.get $mean) (local.get $p4)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    ;; $j: the channel's byte offset in the f32 arrays (twice that in the f64 ones); p is a multiple of 4.
    (block $done
      (loop $lv
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        ;; (x - mean) * scale in float32
        (local.set $v (f32x4.mul
          (f32x4.sub (v128.load align=4 (local.get $x)) (v128.load align=4 (i32.add (local.get $mean) (local.get $j))))
          (v128.load align=4 (i32.add (local.get $scale) (local.get $j)))))
        ;; offset + that / nf in float64, rounded to float32: lanes 0-1, then 2-3
        (v128.store align=4 (local.get $y)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.div (f64x2.promote_low_f32x4 (local.get $v))
                (v128.load align=8 (i32.add (local.get $nf) (i32.shl (local.get $j) (i32.const 1)))))
              (v128.load align=8 (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 1))))))
            (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.div (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
                (v128.load offset=16 align=8 (i32.add (local.get $nf) (i32.shl (local.get $j) (i32.const 1)))))
              (v128.load offset=16 align=8 (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 1))))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (if (i32.ge_u (local.get $j) (local.get $p4)) (then (local.set $j (i32.const 0))))
        (br $lv)))
    ;; The last n mod 4 values: channels j, j + 1, ... (below p, a multiple of 4).
    (block $tail
      (loop $ls
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.mul
          (f32.sub (f32.load (local.get $x)) (f32.load (i32.add (local.get $mean) (local.get $j))))
          (f32.load (i32.add (local.get $scale) (local.get $j)))))
        (f32.store (local.get $y)
          (f32.demote_f64 (f64.add
            (f64.div (f64.promote_f32 (local.get $s)) (f64.load (i32.add (local.get $nf) (i32.shl (local.get $j) (i32.const 1)))))
            (f64.load (i32.add (local.get $off) (i32.shl (local.get $j) (i32.const 1)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $ls))))

  ;; The four full-size terms of tfjs-core's FusedBatchNorm gradient (FusedBatchNorm_grad.ts), each with its
  ;; float32 operations in its order: with xm = x - mean and ds = dy * scale,
  ;;   dx = (dy * r) * scale, mt = (r * -1) * ds, vt = (h * xm) * ds, st = dy * (xm * r)
  ;; (r = rsqrt(variance + eps), h = r * r * r * -0.5, computed by tfjs's kernels on C values). mean, r, h and
  ;; scale have c values (c a multiple of 4) cycling over x's n values.
  (func (export "gradTerms")
    (param $x i32) (param $dy i32) (param $mean i32) (param $r i32) (param $h i32) (param $scale i32)
    (param $dx i32) (param $mt i32) (param $vt i32) (param $st i32) (param $n i32) (param $c i32)
    (local $end i32) (local $j i32) (local $c4 i32) (local $d v128) (local $rr v128) (local $xm v128) (local $ds v128) (local $s v128)
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $d (v128.load align=4 (local.get $dy)))
        (local.set $rr (v128.load align=4 (i32.add (local.get $r) (local.get $j))))
        (local.set $s (v128.load align=4 (i32.add (local.get $scale) (local.get $j))))
        (local.set $xm (f32x4.sub (v128.load align=4 (local.get $x)) (v128.load align=4 (i32.add (local.get $mean) (local.get $j)))))
        (local.set $ds (f32x4.mul (local.get $d) (local.get $s)))
        (v128.store align=4 (local.get $dx) (f32x4.mul (f32x4.mul (local.get $d) (local.get $rr)) (local.get $s)))
        (v128.store align=4 (local.get $mt) (f32x4.mul (f32x4.mul (local.get $rr) (v128.const f32x4 -1 -1 -1 -1)) (local.get $ds)))
        (v128.store align=4 (local.get $vt)
          (f32x4.mul (f32x4.mul (v128.load align=4 (i32.add (local.get $h) (local.get $j))) (local.get $xm)) (local.get $ds)))
        (v128.store align=4 (local.get $st) (f32x4.mul (local.get $d) (f32x4.mul (local.get $xm) (local.get $rr))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (local.set $mt (i32.add (local.get $mt) (i32.const 16)))
        (local.set $vt (i32.add (local.get $vt) (i32.const 16)))
        (local.set $st (i32.add (local.get $st) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (if (i32.ge_u (local.get $j) (local.get $c4)) (then (local.set $j (i32.const 0))))
        (br $l))))
  ;; Batch normalization in training as two passes each way (`../../models/nets/batchNorm.ts`), x as [rows, c]
  ;; (c a multiple of 4, rows >= 1), results rounded to float32. Per-channel sums: float32 over blocks of 32 rows
  ;; (4 channels a register, down the block's rows), the blocks' sums added in float64 (scratch `acc`):
  ;; - moments: mean = (sum of x) / rows, then variance = (sum of (x - mean)^2) / rows (the biased variance, as
  ;;   tfjs's `moments`). acc: 8c bytes.
  ;; - trainGrad: x's, scale's and offset's gradients of y = offset + scale * (x - mean) * r, r = 1 / sqrt(variance
  ;;   + eps), with mean and variance x's own moments: with s1 = sum of dy and s2 = sum of dy * (x - mean),
  ;;   doffset = s1, dscale = s2 * r and dx = a * dy + (k * (x - mean) + b), a = scale * r, b = -a * s1 / rows,
  ;;   k = -a * r * r * s2 / rows (the per-channel terms in float64). acc: 32c bytes.
  (func $sum4 (param $acc i32) (param $v v128)
    (v128.store align=8 (local.get $acc) (f64x2.add (v128.load align=8 (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 align=8 (local.get $acc)
      (f64x2.add (v128.load offset=16 align=8 (local.get $acc))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  ;; Column sums into acc (and acc2), zeroed first: mode 0 of x, 1 of (x - mean)^2, 2 of dy (acc) and of
  ;; dy * (x - mean) (acc2).
  (func $columnSums (param $mode i32) (param $x i32) (param $dy i32) (param $mean i32) (param $rows i32) (param $c i32) (param $acc i32) (param $acc2 i32)
    (local $c4 i32) (local $r0 i32) (local $rn i32) (local $j i32) (local $t i32) (local $off i32) (local $p i32) (local $q i32)
    (local $s v128) (local $s2 v128) (local $m v128) (local $d v128)
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))
    (if (i32.eq (local.get $mode) (i32.const 2)) (then (memory.fill (local.get $acc2) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))))
    (block $rowsDone
      (loop $lr
        (br_if $rowsDone (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $rn (i32.sub (local.get $rows) (local.get $r0)))
        (if (i32.gt_u (local.get $rn) (i32.const 32)) (then (local.set $rn (i32.const 32))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $lj
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $c4)))
            (local.set $off (i32.add (i32.mul (local.get $r0) (local.get $c4)) (local.get $j)))
            (local.set $p (i32.add (local.get $x) (local.get $off)))
            (local.set $q (i32.add (local.get $dy) (local.get $off)))
            (local.set $s (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $m (v128.load align=4 (i32.add (local.get $mean) (local.get $j))))
            (local.set $t (local.get $rn))
            (if (i32.eqz (local.get $mode))
              (then
                (loop $l0
                  (local.set $s (f32x4.add (local.get $s) (v128.load align=4 (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $c4)))
                  (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                  (br_if $l0 (local.get $t))))
              (else (if (i32.eq (local.get $mode) (i32.const 1))
                (then
                  (loop $l1
                    (local.set $d (f32x4.sub (v128.load align=4 (local.get $p)) (local.get $m)))
                    (local.set $s (f32x4.add (local.get $s) (f32x4.mul (local.get $d) (local.get $d))))
                    (local.set $p (i32.add (local.get $p) (local.get $c4)))
                    (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                    (br_if $l1 (local.get $t))))
                (else
                  (loop $l2
                    (local.set $d (v128.load align=4 (local.get $q)))
                    (local.set $s (f32x4.add (local.get $s) (local.get $d)))
                    (local.set $s2 (f32x4.add (local.get $s2)
                      (f32x4.mul (local.get $d) (f32x4.sub (v128.load align=4 (local.get $p)) (local.get $m)))))
                    (local.set $p (i32.add (local.get $p) (local.get $c4)))
                    (local.set $q (i32.add (local.get $q) (local.get $c4)))
                    (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                    (br_if $l2 (local.get $t)))
                  (call $sum4 (i32.add (local.get $acc2) (i32.shl (local.get $j) (i32.const 1))) (local.get $s2))))))
            (call $sum4 (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1))) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $lj)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $rn)))
        (br $lr))))

  ;; acc[c] / n for c channels (4 at a time), rounded to float32 at out.
  (func $quotients (param $acc i32) (param $out i32) (param $c i32) (param $n f64)
    (local $j i32) (local $q v128)
    (local.set $q (f64x2.splat (local.get $n)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $j) (i32.shl (local.get $c) (i32.const 2))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $j))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.div (v128.load align=8 (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1)))) (local.get $q)))
            (f32x4.demote_f64x2_zero (f64x2.div (v128.load offset=16 align=8 (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1)))) (local.get $q)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l))))

  (func (export "moments") (param $x i32) (param $rows i32) (param $c i32) (param $mean i32) (param $variance i32) (param $acc i32)
    ;; mode 0 reads no mean: the variance's memory stands in.
    (call $columnSums (i32.const 0) (local.get $x) (local.get $x) (local.get $variance) (local.get $rows) (local.get $c) (local.get $acc) (local.get $acc))
    (call $quotients (local.get $acc) (local.get $mean) (local.get $c) (f64.convert_i32_u (local.get $rows)))
    (call $columnSums (i32.const 1) (local.get $x) (local.get $x) (local.get $mean) (local.get $rows) (local.get $c) (local.get $acc) (local.get $acc))
    (call $quotients (local.get $acc) (local.get $variance) (local.get $c) (f64.convert_i32_u (local.get $rows))))

  (func (export "trainGrad")
    (param $x i32) (param $dy i32) (param $mean i32) (param $variance i32) (param $scale i32) (param $eps f32)
    (param $rows i32) (param $c i32) (param $dx i32) (param $dscale i32) (param $doffset i32) (param $acc i32)
    (local $c4 i32) (local $end i32) (local $j i32) (local $s2 i32) (local $ta i32) (local $tk i32) (local $tb i32)
    (local $r f64) (local $a f64) (local $n f64)
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $c4))))
    (local.set $n (f64.convert_i32_u (local.get $rows)))
    (local.set $s2 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))
    (local.set $ta (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 4))))
    (local.set $tk (i32.add (local.get $ta) (local.get $c4)))
    (local.set $tb (i32.add (local.get $tk) (local.get $c4)))
    (call $columnSums (i32.const 2) (local.get $x) (local.get $dy) (local.get $mean) (local.get $rows) (local.get $c) (local.get $acc) (local.get $s2))
    ;; per channel: the scale's and offset's gradients, and dx's terms a, k, b
    (block $d2
      (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $c4)))
        (local.set $r (f64.div (f64.const 1)
          (f64.sqrt (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $variance) (local.get $j)))) (f64.promote_f32 (local.get $eps))))))
        (local.set $a (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $scale) (local.get $j)))) (local.get $r)))
        (f32.store (i32.add (local.get $doffset) (local.get $j)) (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1))))))
        (f32.store (i32.add (local.get $dscale) (local.get $j))
          (f32.demote_f64 (f64.mul (f64.load (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1)))) (local.get $r))))
        (f32.store (i32.add (local.get $ta) (local.get $j)) (f32.demote_f64 (local.get $a)))
        (f32.store (i32.add (local.get $tk) (local.get $j))
          (f32.demote_f64 (f64.div (f64.mul (f64.neg (local.get $a)) (f64.mul (f64.mul (local.get $r) (local.get $r))
            (f64.load (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1)))))) (local.get $n))))
        (f32.store (i32.add (local.get $tb) (local.get $j))
          (f32.demote_f64 (f64.div (f64.mul (f64.neg (local.get $a))
            (f64.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1))))) (local.get $n))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l2)))
    ;; dx
    (local.set $j (i32.const 0))
    (block $d3
      (loop $l3
        (br_if $d3 (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store align=4 (local.get $dx)
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $ta) (local.get $j))) (v128.load align=4 (local.get $dy)))
            (f32x4.add
              (f32x4.mul (v128.load align=4 (i32.add (local.get $tk) (local.get $j)))
                (f32x4.sub (v128.load align=4 (local.get $x)) (v128.load align=4 (i32.add (local.get $mean) (local.get $j)))))
              (v128.load align=4 (i32.add (local.get $tb) (local.get $j))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (if (i32.ge_u (local.get $j) (local.get $c4)) (then (local.set $j (i32.const 0))))
        (br $l3))))
)
