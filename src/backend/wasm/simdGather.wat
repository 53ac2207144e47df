;; latentkit's wasm loops for Transpose and Reverse (`./gatherKernels.ts`), over tfjs-backend-wasm's own memory
;; (imported): strided copies of 4-byte elements, bits moved exactly (NaN payloads included).
;; - gather4: a strided 4-D box copied to a contiguous block (any source strides, negative ones included);
;;   runs whose elements are adjacent in the source move by memory.copy, others one element at a time as i32.
;; - transpose4: the same copy where the innermost axis is strided and an outer one contiguous, as 4 x 4 tiles
;;   transposed in registers.
;; Pointers are byte offsets in the heap. Every loop count is at least 1 (checked by the caller).
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdGather.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; dst[i0, i1, i2, i3] (contiguous, 4-byte elements) = src[i0*s0 + i1*s1 + i2*s2 + i3*s3] (byte strides,
  ;; negative allowed), for i_k < n_k. Every n_k is at least 1 (checked by the caller).
  (func (export "gather4")
    (param $dst i32) (param $src i32)
    (param $n0 i32) (param $n1 i32) (param $n2 i32) (param $n3 i32)
    (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p i32) (local $run i32)
    (local.set $run (i32.shl (local.get $n3) (i32.const 2)))
    (local.set $p0 (local.get $src))
    (local.set $i0 (i32.const 0))
    (loop $l0
      (local.set $p1 (local.get $p0))
      (local.set $i1 (i32.const 0))
      (loop $l1
        (local.set $p2 (local.get $p1))
        (local.set $i2 (i32.const 0))
        (loop $l2
          (if (i32.eq (local.get $s3) (i32.const 4))
            (then
              (memory.copy (local.get $dst) (local.get $p2) (local.get $run))
              (local.set $dst (i32.add (local.get $dst) (local.get $run))))
            (else
              (local.set $p (local.get $p2))
              (local.set $i3 (i32.const 0))
              (loop $l3
                (i32.store (local.get $dst) (i32.load (local.get $p)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (local.get $s3)))
                (local.set $i3 (i32.add (local.get $i3) (i32.const 1)))
                (br_if $l3 (i32.lt_u (local.get $i3) (local.get $n3))))))
          (local.set $p2 (i32.add (local.get $p2) (local.get $s2)))
          (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
          (br_if $l2 (i32.lt_u (local.get $i2) (local.get $n2))))
        (local.set $p1 (i32.add (local.get $p1) (local.get $s1)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br_if $l1 (i32.lt_u (local.get $i1) (local.get $n1))))
      (local.set $p0 (i32.add (local.get $p0) (local.get $s0)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (br_if $l0 (i32.lt_u (local.get $i0) (local.get $n0)))))

  ;; A strided copy whose innermost axis is strided (s3) and one outer axis contiguous in the source (4 bytes a
  ;; step), as 4 x 4 tiles: four 16-byte loads down the innermost axis, a transpose in registers, four 16-byte
  ;; stores along it. dst[ia*dA + o0*d0 + o1*d1 + i3*4] = src[ia*4 + o0*t0 + o1*t1 + i3*s3] (bytes) for ia < nA,
  ;; o0 < m0, o1 < m1, i3 < n3; nA and n3 multiples of 4, m0 and m1 at least 1. The tiles along ia are innermost,
  ;; so each source row's bytes are read in order (`gather4` reads one value per strided load), and i3 runs in
  ;; chunks of 16 outside the other axes.
  (func (export "transpose4")
    (param $dst i32) (param $src i32) (param $nA i32) (param $dA i32)
    (param $m0 i32) (param $t0 i32) (param $d0 i32) (param $m1 i32) (param $t1 i32) (param $d1 i32)
    (param $n3 i32) (param $s3 i32)
    (local $o0 i32) (local $o1 i32) (local $i3 i32) (local $ia i32) (local $p i32) (local $q i32) (local $c3 i32) (local $e3 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $dA2 i32) (local $dA3 i32) (local $s32 i32) (local $s33 i32)
    (local.set $dA2 (i32.shl (local.get $dA) (i32.const 1)))
    (local.set $dA3 (i32.add (local.get $dA2) (local.get $dA)))
    (local.set $s32 (i32.shl (local.get $s3) (i32.const 1)))
    (local.set $s33 (i32.add (local.get $s32) (local.get $s3)))
    ;; The innermost axis in chunks of 16: each output row's 64 bytes written at once, 16 source streams read.
    (loop $lc
      (local.set $e3 (i32.add (local.get $c3) (i32.const 16)))
      (if (i32.gt_u (local.get $e3) (local.get $n3)) (then (local.set $e3 (local.get $n3))))
      (local.set $o0 (i32.const 0))
    (loop $l0
      (local.set $o1 (i32.const 0))
      (loop $l1
        (local.set $i3 (local.get $c3))
        (loop $l3
          (local.set $p (i32.add (i32.add (local.get $src) (i32.mul (local.get $o0) (local.get $t0)))
            (i32.add (i32.mul (local.get $o1) (local.get $t1)) (i32.mul (local.get $i3) (local.get $s3)))))
          (local.set $q (i32.add (i32.add (local.get $dst) (i32.mul (local.get $o0) (local.get $d0)))
            (i32.add (i32.mul (local.get $o1) (local.get $d1)) (i32.shl (local.get $i3) (i32.const 2)))))
          (local.set $ia (i32.const 0))
          (loop $la
            (local.set $v0 (v128.load align=4 (local.get $p)))
            (local.set $v1 (v128.load align=4 (i32.add (local.get $p) (local.get $s3))))
            (local.set $v2 (v128.load align=4 (i32.add (local.get $p) (local.get $s32))))
            (local.set $v3 (v128.load align=4 (i32.add (local.get $p) (local.get $s33))))
            (local.set $u0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $u1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $u2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $u3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            (v128.store align=4 (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1)))
            (v128.store align=4 (i32.add (local.get $q) (local.get $dA)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1)))
            (v128.store align=4 (i32.add (local.get $q) (local.get $dA2)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u2) (local.get $u3)))
            (v128.store align=4 (i32.add (local.get $q) (local.get $dA3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u2) (local.get $u3)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.shl (local.get $dA) (i32.const 2))))
            (local.set $ia (i32.add (local.get $ia) (i32.const 4)))
            (br_if $la (i32.lt_u (local.get $ia) (local.get $nA))))
          (local.set $i3 (i32.add (local.get $i3) (i32.const 4)))
          (br_if $l3 (i32.lt_u (local.get $i3) (local.get $e3))))
        (local.set $o1 (i32.add (local.get $o1) (i32.const 1)))
        (br_if $l1 (i32.lt_u (local.get $o1) (local.get $m1))))
      (local.set $o0 (i32.add (local.get $o0) (i32.const 1)))
      (br_if $l0 (i32.lt_u (local.get $o0) (local.get $m0))))
      (local.set $c3 (local.get $e3))
      (br_if $lc (i32.lt_u (local.get $c3) (local.get $n3))))))
