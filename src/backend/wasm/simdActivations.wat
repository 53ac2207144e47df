;; latentkit's wasm SIMD loops for LeakyReLU over tfjs-backend-wasm's own memory (imported), 4 values at a
;; time, then one at a time through the same arithmetic:
;; - leaky: y = x < 0 ? alpha * x : x, tfjs's LeakyRelu (its wasm kernel is a scalar C++ loop, ~3 ns a value).
;; - leakyGrad: g = x > 0 ? dy : dy * alpha, tfjs's LeakyRelu gradient (as tfjs-core composes it: Greater,
;;   Multiply and Select, three passes over the tensor and a bool tensor between them).
;; IEEE float32 operations, so the values are tfjs's bit for bit (NaN stays NaN; -0 stays -0 in leaky).
;; Pointers are byte offsets in the heap; n is the number of values (0 allowed).
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdActivations.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  (func (export "leaky") (param $x i32) (param $y i32) (param $n i32) (param $alpha f32)
    (local $end i32) (local $vend i32) (local $v v128) (local $a v128) (local $s f32)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $lv
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (local.set $v (v128.load align=4 (local.get $x)))
        (v128.store align=4 (local.get $y)
          (v128.bitselect (f32x4.mul (local.get $a) (local.get $v)) (local.get $v) (f32x4.lt (local.get $v) (v128.const i32x4 0 0 0 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $lv)))
    (block $tail
      (loop $ls
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.load (local.get $x)))
        (f32.store (local.get $y) (select (f32.mul (local.get $alpha) (local.get $s)) (local.get $s) (f32.lt (local.get $s) (f32.const 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $ls))))

  (func (export "leakyGrad") (param $x i32) (param $dy i32) (param $g i32) (param $n i32) (param $alpha f32)
    (local $end i32) (local $vend i32) (local $d v128) (local $a v128) (local $s f32)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $lv
        (br_if $done (i32.ge_u (local.get $x) (local.get $vend)))
        (local.set $d (v128.load align=4 (local.get $dy)))
        (v128.store align=4 (local.get $g)
          (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (local.get $a)) (f32x4.gt (v128.load align=4 (local.get $x)) (v128.const i32x4 0 0 0 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $lv)))
    (block $tail
      (loop $ls
        (br_if $tail (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.load (local.get $dy)))
        (f32.store (local.get $g) (select (local.get $s) (f32.mul (local.get $s) (local.get $alpha)) (f32.gt (f32.load (local.get $x)) (f32.const 0))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $ls)))))
