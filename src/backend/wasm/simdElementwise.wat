;; latentkit's wasm SIMD loops for elementwise float32 kernels, over tfjs-backend-wasm's own memory
;; (imported), 4 values at a time, then one at a time through the same arithmetic:
;; - tanh: Tanh (tfjs's wasm Tanh calls the scalar tanhf for each value, ~9 ns each).
;; - clip: ClipByValue keeping NaN (tfjs's wasm kernel turns NaN into the lower bound, hiding a diverged loss).
;; - relu: Relu keeping NaN (tfjs's wasm kernel, an XNNPACK clamp, turns NaN into 0 in its 4-wide loop).
;; Pointers are byte offsets in the heap; n is the number of values (0 allowed).
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdElementwise.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; tanh of n float32 values at x into y (4 at a time, then one at a time through the same vector code).
  ;; tanh|x| = -e / (2 + e) with e = expm1(-2|x|): -2|x| = n ln2 + r (|r| <= ln2/2, ln2 in two parts),
  ;; expm1(r) by its Taylor series to r^7 (error below 1e-8), e = 2^n expm1(r) + (2^n - 1); |x| is clamped
  ;; to 9, where tanh rounds to 1. The sign is copied back from x (so -0 stays -0; NaN stays NaN).
  ;; Within 2 ulp of the correctly rounded tanh (test/backend/simdKernels.test.ts).
  (func $tanh4 (param $v v128) (result v128)
    (local $z v128) (local $nf v128) (local $r v128) (local $q v128) (local $s v128) (local $e v128)
    (local.set $z (f32x4.mul (f32x4.min (f32x4.abs (local.get $v)) (f32x4.splat (f32.const 9))) (f32x4.splat (f32.const -2))))
    (local.set $nf (f32x4.nearest (f32x4.mul (local.get $z) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r (f32x4.sub (local.get $z) (f32x4.mul (local.get $nf) (f32x4.splat (f32.const 0x1.62e4p-1)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $nf) (f32x4.splat (f32.const 0x1.7f7d1cp-20)))))
    (local.set $q (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0x1.a01a02p-13)) (local.get $r)) (f32x4.splat (f32.const 0x1.6c16c2p-10))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.111112p-7))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.555556p-5))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.555556p-3))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    ;; expm1(r) = r + r^2 q
    (local.set $q (f32x4.add (local.get $r) (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $q))))
    (local.set $s (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $nf)) (i32x4.splat (i32.const 127))) (i32.const 23)))
    (local.set $e (f32x4.add (f32x4.mul (local.get $s) (local.get $q)) (f32x4.sub (local.get $s) (f32x4.splat (f32.const 1)))))
    (v128.bitselect (local.get $v)
      (f32x4.div (f32x4.neg (local.get $e)) (f32x4.add (local.get $e) (f32x4.splat (f32.const 2))))
      (i32x4.splat (i32.const 0x80000000))))

  (func (export "tanh") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $v
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (v128.store align=4 (local.get $y) (call $tanh4 (v128.load align=4 (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $v)))
    (block $tail
      (loop $s
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y) (f32x4.extract_lane 0 (call $tanh4 (v128.load32_splat (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $s))))

  ;; ClipByValue of n float32 values at x into y: x < lo ? lo : x > hi ? hi : x, as tfjs's cpu kernel (NaN
  ;; stays NaN, -0 stays -0); 4 at a time, then one at a time.
  (func (export "clip") (param $x i32) (param $y i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $end i32) (local $vend i32) (local $v v128) (local $l v128) (local $h v128)
    (local.set $l (f32x4.splat (local.get $lo)))
    (local.set $h (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $lv
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (local.set $v (v128.bitselect (local.get $l) (local.get $v) (f32x4.lt (local.get $v) (local.get $l))))
        (v128.store align=4 (local.get $y) (v128.bitselect (local.get $h) (local.get $v) (f32x4.gt (local.get $v) (local.get $h))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $lv)))
    (block $tail
      (loop $ls
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y)
          (select (local.get $lo)
            (select (local.get $hi) (f32.load (local.get $x)) (f32.gt (f32.load (local.get $x)) (local.get $hi)))
            (f32.lt (f32.load (local.get $x)) (local.get $lo))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $ls))))

  ;; Relu of n float32 values at x into y: max(x, 0) as Math.max computes it (NaN stays NaN, -0 becomes +0), as
  ;; tfjs's cpu kernel; 4 at a time, then one at a time.
  (func (export "relu") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $lv
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (v128.store align=4 (local.get $y) (f32x4.max (v128.load align=4 (local.get $x)) (v128.const i32x4 0 0 0 0)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $lv)))
    (block $tail
      (loop $ls
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y) (f32.max (f32.load (local.get $x)) (f32.const 0)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $ls))))
)
