;; latentkit's wasm SIMD loops for elementwise float32 kernels, over tfjs-backend-wasm's own memory
;; (imported), 4 values at a time, then one at a time through the same arithmetic:
;; - tanh: Tanh (tfjs's wasm Tanh calls the scalar tanhf for each value, ~9 ns each).
;; - clip: ClipByValue keeping NaN (tfjs's wasm kernel turns NaN into the lower bound, hiding a diverged loss).
;; - relu: Relu keeping NaN (tfjs's wasm kernel, an XNNPACK clamp, turns NaN into 0 in its 4-wide loop).
;; - sigmoid: Sigmoid on the calling thread (tfjs's is an XNNPACK operator on its thread pool).
;; - binary: Add, Sub, Multiply, RealDiv, SquaredDifference and Neg on the calling thread (tfjs's are XNNPACK
;;   operators that hand every call to its thread pool: ~0.3 ms a call on two threads, not 0.1).
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

;; sigmoid of 4 values: with z = -|x| and e = exp(z) in (0, 1] (the range reduction and series of $tanh4),
  ;; 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, so neither side cancels. Within 2.5 ulp of the correctly
  ;; rounded sigmoid (test/backend/elementwiseKernels.test.ts); 0 below x = ln(FLT_MIN) = -87.336548, where the
  ;; sigmoid is subnormal (as XNNPACK's). NaN stays NaN.
  (func $sigmoid4 (param $v v128) (result v128)
    (local $z v128) (local $nf v128) (local $r v128) (local $q v128) (local $s v128) (local $e v128) (local $d v128)
    (local.set $z (f32x4.max (f32x4.neg (f32x4.abs (local.get $v))) (f32x4.splat (f32.const -87.336548))))
    (local.set $nf (f32x4.nearest (f32x4.mul (local.get $z) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r (f32x4.sub (local.get $z) (f32x4.mul (local.get $nf) (f32x4.splat (f32.const 0x1.62e4p-1)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $nf) (f32x4.splat (f32.const 0x1.7f7d1cp-20)))))
    (local.set $q (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0x1.a01a02p-13)) (local.get $r)) (f32x4.splat (f32.const 0x1.6c16c2p-10))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.111112p-7))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.555556p-5))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0x1.555556p-3))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $q (f32x4.add (local.get $r) (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $q))))
    (local.set $s (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $nf)) (i32x4.splat (i32.const 127))) (i32.const 23)))
    (local.set $e (f32x4.add (f32x4.mul (local.get $s) (local.get $q)) (local.get $s)))
    (local.set $d (f32x4.add (local.get $e) (f32x4.splat (f32.const 1))))
    (v128.andnot
      (v128.bitselect
        (f32x4.div (local.get $e) (local.get $d))
        (f32x4.div (f32x4.splat (f32.const 1)) (local.get $d))
        (f32x4.lt (local.get $v) (f32x4.splat (f32.const 0))))
      (f32x4.lt (local.get $v) (f32x4.splat (f32.const -87.336548)))))

  (func (export "sigmoid") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $v
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (v128.store align=4 (local.get $y) (call $sigmoid4 (v128.load align=4 (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $v)))
    (block $tail
      (loop $s
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y) (f32x4.extract_lane 0 (call $sigmoid4 (v128.load32_splat (local.get $x)))))
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

;; Binary float32 kernels (Add, Sub, Multiply, RealDiv, SquaredDifference) and Neg over an output of m rows x n
;; values (c, adjacent, rows 4n bytes apart): row i of a starts at a + i*sa, of b at b + i*sb (bytes); mode 0:
;; both operands' values adjacent along the row; 1: b is one value per row (broadcast along it); 2: a is.
;; op: 0 add, 1 sub, 2 mul, 3 div, 4 squared difference ((a - b) * (a - b)), 5 neg (of a; b unused; mode 0).
;; IEEE arithmetic rounded to float32 per operation, 4 values at a time then one at a time: the values of
;; XNNPACK's kernels (tfjs's) and of the cpu kernels.
  (func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32)
    (param $sa i32) (param $sb i32) (param $mode i32)
    (local $i i32) (local $j i32) (local $n4 i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $va v128) (local $vb v128) (local $t v128) (local $fa f32) (local $fb f32) (local $ts f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $pc (local.get $c))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sa))))
      (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $sb))))
      (local.set $j (i32.const 0))
      (block $row_end
      (block $k5_2
      (block $k5_1
      (block $k5_0
      (block $k4_2
      (block $k4_1
      (block $k4_0
      (block $k3_2
      (block $k3_1
      (block $k3_0
      (block $k2_2
      (block $k2_1
      (block $k2_0
      (block $k1_2
      (block $k1_1
      (block $k1_0
      (block $k0_2
      (block $k0_1
      (block $k0_0
        (br_table $k0_0 $k0_1 $k0_2 $k1_0 $k1_1 $k1_2 $k2_0 $k2_1 $k2_2 $k3_0 $k3_1 $k3_2 $k4_0 $k4_1 $k4_2 $k5_0 $k5_1 $k5_2 $row_end (i32.add (i32.mul (local.get $op) (i32.const 3)) (local.get $mode))))
      ;; add, mode 0
      (block $vd0 (loop $vl0
        (br_if $vd0 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.add (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl0)))
      (block $sd0 (loop $sl0
        (br_if $sd0 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.add (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl0)))
      (br $row_end))
      ;; add, mode 1
      (local.set $fb (f32.load (local.get $pb))) (local.set $vb (f32x4.splat (local.get $fb)))
      (block $vd1 (loop $vl1
        (br_if $vd1 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.add (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $vb)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl1)))
      (block $sd1 (loop $sl1
        (br_if $sd1 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.add (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $fb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl1)))
      (br $row_end))
      ;; add, mode 2
      (local.set $fa (f32.load (local.get $pa))) (local.set $va (f32x4.splat (local.get $fa)))
      (block $vd2 (loop $vl2
        (br_if $vd2 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.add (local.get $va) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl2)))
      (block $sd2 (loop $sl2
        (br_if $sd2 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.add (local.get $fa) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl2)))
      (br $row_end))
      ;; sub, mode 0
      (block $vd3 (loop $vl3
        (br_if $vd3 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.sub (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl3)))
      (block $sd3 (loop $sl3
        (br_if $sd3 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.sub (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl3)))
      (br $row_end))
      ;; sub, mode 1
      (local.set $fb (f32.load (local.get $pb))) (local.set $vb (f32x4.splat (local.get $fb)))
      (block $vd4 (loop $vl4
        (br_if $vd4 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.sub (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $vb)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl4)))
      (block $sd4 (loop $sl4
        (br_if $sd4 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.sub (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $fb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl4)))
      (br $row_end))
      ;; sub, mode 2
      (local.set $fa (f32.load (local.get $pa))) (local.set $va (f32x4.splat (local.get $fa)))
      (block $vd5 (loop $vl5
        (br_if $vd5 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.sub (local.get $va) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl5)))
      (block $sd5 (loop $sl5
        (br_if $sd5 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.sub (local.get $fa) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl5)))
      (br $row_end))
      ;; mul, mode 0
      (block $vd6 (loop $vl6
        (br_if $vd6 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl6)))
      (block $sd6 (loop $sl6
        (br_if $sd6 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl6)))
      (br $row_end))
      ;; mul, mode 1
      (local.set $fb (f32.load (local.get $pb))) (local.set $vb (f32x4.splat (local.get $fb)))
      (block $vd7 (loop $vl7
        (br_if $vd7 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $vb)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl7)))
      (block $sd7 (loop $sl7
        (br_if $sd7 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $fb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl7)))
      (br $row_end))
      ;; mul, mode 2
      (local.set $fa (f32.load (local.get $pa))) (local.set $va (f32x4.splat (local.get $fa)))
      (block $vd8 (loop $vl8
        (br_if $vd8 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.get $va) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl8)))
      (block $sd8 (loop $sl8
        (br_if $sd8 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (local.get $fa) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl8)))
      (br $row_end))
      ;; div, mode 0
      (block $vd9 (loop $vl9
        (br_if $vd9 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.div (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl9)))
      (block $sd9 (loop $sl9
        (br_if $sd9 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.div (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl9)))
      (br $row_end))
      ;; div, mode 1
      (local.set $fb (f32.load (local.get $pb))) (local.set $vb (f32x4.splat (local.get $fb)))
      (block $vd10 (loop $vl10
        (br_if $vd10 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.div (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $vb)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl10)))
      (block $sd10 (loop $sl10
        (br_if $sd10 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.div (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $fb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl10)))
      (br $row_end))
      ;; div, mode 2
      (local.set $fa (f32.load (local.get $pa))) (local.set $va (f32x4.splat (local.get $fa)))
      (block $vd11 (loop $vl11
        (br_if $vd11 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.div (local.get $va) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl11)))
      (block $sd11 (loop $sl11
        (br_if $sd11 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.div (local.get $fa) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl11)))
      (br $row_end))
      ;; sqdiff, mode 0
      (block $vd12 (loop $vl12
        (br_if $vd12 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.tee $t (f32x4.sub (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))) (local.get $t)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl12)))
      (block $sd12 (loop $sl12
        (br_if $sd12 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (local.tee $ts (f32.sub (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))) (local.get $ts)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl12)))
      (br $row_end))
      ;; sqdiff, mode 1
      (local.set $fb (f32.load (local.get $pb))) (local.set $vb (f32x4.splat (local.get $fb)))
      (block $vd13 (loop $vl13
        (br_if $vd13 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.tee $t (f32x4.sub (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $vb))) (local.get $t)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl13)))
      (block $sd13 (loop $sl13
        (br_if $sd13 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (local.tee $ts (f32.sub (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2)))) (local.get $fb))) (local.get $ts)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl13)))
      (br $row_end))
      ;; sqdiff, mode 2
      (local.set $fa (f32.load (local.get $pa))) (local.set $va (f32x4.splat (local.get $fa)))
      (block $vd14 (loop $vl14
        (br_if $vd14 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.mul (local.tee $t (f32x4.sub (local.get $va) (v128.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))) (local.get $t)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl14)))
      (block $sd14 (loop $sl14
        (br_if $sd14 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (local.tee $ts (f32.sub (local.get $fa) (f32.load (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2)))))) (local.get $ts)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl14)))
      (br $row_end))
      ;; neg, mode 0
      (block $vd15 (loop $vl15
        (br_if $vd15 (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32x4.neg (v128.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl15)))
      (block $sd15 (loop $sl15
        (br_if $sd15 (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2))) (f32.neg (f32.load (i32.add (local.get $pa) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl15)))
      (br $row_end))
      ;; neg, mode 1
      (br $row_end))
      ;; neg, mode 2
      (br $row_end))
      (local.set $pc (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))
)
