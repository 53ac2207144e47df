;; latentkit's wasm SIMD loops for training kernels, over tfjs-backend-wasm's own memory (imported),
;; most 4 channels at a time (the caller runs them only when the channel count is a multiple of 4):
;; - depthwiseFilterGrad: DepthwiseConv2dNativeBackpropFilter with channel multiplier 1, in float64
;;   accumulators (f32 products promoted to f64 are exact, then f64 adds in the cpu kernel's order).
;; - maxPoolGrad: MaxPoolGrad, dy to the first maximum of each window (f32x4.gt: NaN never wins), added to
;;   dx in window order, as the JavaScript loop in ./otherKernels.ts.
;; - filterGradF4: Conv2DBackpropFilter of a stride-1 convolution to 4 output channels (an image decoder's
;;   output stage), C a multiple of 8: 8 channels x 4 outputs accumulated in registers over every pixel.
;; - col2im: a transposed convolution's products [N*H*W, kh*kw*C] added into its output (the input gradient
;;   of a strided convolution), 4 channels at a time.
;; - allFinite: whether n float32 values hold no NaN or Infinity (an exponent of all ones), 4 at a time.
;; Pointers are byte offsets in the heap; sizes are in elements. Row/column indices are checked with unsigned
;; compares (a negative index is a large unsigned one). Every loop count is at least 1 (checked by the caller).
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdKernels.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; acc[(i*kw + j)*c + ch] (f64, zeroed by the caller) += x[b, y*sh - top + i*dh, xo*sw - left + j*dw, ch]
  ;;   * dy[b, y, xo, ch], for b, y, xo in order; taps outside the input are skipped.
  (func (export "depthwiseFilterGrad")
    (param $x i32) (param $dy i32) (param $acc i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $b i32) (local $y i32) (local $xo i32) (local $i i32) (local $j i32)
    (local $iy i32) (local $ix i32) (local $dyp i32) (local $xp i32) (local $ap i32)
    (local $k i32) (local $cb i32) (local $xv v128) (local $dv v128) (local $a i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $dyp (local.get $dy))
    (loop $lb
      (local.set $y (i32.const 0))
      (loop $ly
        (local.set $xo (i32.const 0))
        (loop $lx
          (local.set $i (i32.const 0))
          (loop $li
            (block $skipi
              (local.set $iy
                (i32.add (i32.sub (i32.mul (local.get $y) (local.get $sh)) (local.get $top)) (i32.mul (local.get $i) (local.get $dh))))
              (br_if $skipi (i32.ge_u (local.get $iy) (local.get $h)))
              (local.set $j (i32.const 0))
              (loop $lj
                (block $skipj
                  (local.set $ix
                    (i32.add (i32.sub (i32.mul (local.get $xo) (local.get $sw)) (local.get $left)) (i32.mul (local.get $j) (local.get $dw))))
                  (br_if $skipj (i32.ge_u (local.get $ix) (local.get $w)))
                  (local.set $xp
                    (i32.add (local.get $x)
                      (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $ix))
                        (local.get $cb))))
                  (local.set $ap
                    (i32.add (local.get $acc)
                      (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (local.get $cb)) (i32.const 1))))
                  (local.set $k (i32.const 0))
                  (loop $lc
                    (local.set $xv (v128.load (i32.add (local.get $xp) (local.get $k))))
                    (local.set $dv (v128.load (i32.add (local.get $dyp) (local.get $k))))
                    (local.set $a (i32.add (local.get $ap) (i32.shl (local.get $k) (i32.const 1))))
                    (v128.store (local.get $a)
                      (f64x2.add (v128.load (local.get $a))
                        (f64x2.mul (f64x2.promote_low_f32x4 (local.get $xv)) (f64x2.promote_low_f32x4 (local.get $dv)))))
                    (v128.store offset=16 (local.get $a)
                      (f64x2.add (v128.load offset=16 (local.get $a))
                        (f64x2.mul
                          (f64x2.promote_low_f32x4
                            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $xv) (local.get $xv)))
                          (f64x2.promote_low_f32x4
                            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $dv) (local.get $dv))))))
                    (local.set $k (i32.add (local.get $k) (i32.const 16)))
                    (br_if $lc (i32.lt_u (local.get $k) (local.get $cb)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $lj (i32.lt_u (local.get $j) (local.get $kw)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $li (i32.lt_u (local.get $i) (local.get $kh))))
          (local.set $dyp (i32.add (local.get $dyp) (local.get $cb)))
          (local.set $xo (i32.add (local.get $xo) (i32.const 1)))
          (br_if $lx (i32.lt_u (local.get $xo) (local.get $ow))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $ly (i32.lt_u (local.get $y) (local.get $oh))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $n)))))

  ;; For each window (b, oy, ox) in order and each block of 4 channels: the first maximum over the taps
  ;; (fy = 0, dh, ... < effH; fx likewise) inside the input, then dx[at the maximum] += dy[b, oy, ox, ch]
  ;; (f32). dx is zeroed by the caller. dy is read through its own strides (it may be larger than implied).
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $dyCol i32) (param $dyRow i32) (param $dyBatch i32)
    (param $effH i32) (param $effW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32)
    (local $k i32) (local $cb i32) (local $off i32) (local $dyp i32) (local $p i32)
    (local $v v128) (local $best v128) (local $pos v128) (local $m v128) (local $dv v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (loop $lb
      (local.set $oy (i32.const 0))
      (loop $ly
        (local.set $ox (i32.const 0))
        (loop $lx
          (local.set $dyp
            (i32.add (local.get $dy)
              (i32.shl
                (i32.add (i32.add (i32.mul (local.get $b) (local.get $dyBatch)) (i32.mul (local.get $oy) (local.get $dyRow)))
                  (i32.mul (local.get $ox) (local.get $dyCol)))
                (i32.const 2))))
          (local.set $k (i32.const 0))
          (loop $lc
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $pos (i32x4.splat (i32.const -1)))
            (local.set $fy (i32.const 0))
            (loop $lfy
              (block $skipy
                (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)) (local.get $fy)))
                (br_if $skipy (i32.ge_u (local.get $iy) (local.get $h)))
                (local.set $fx (i32.const 0))
                (loop $lfx
                  (block $skipx
                    (local.set $ix (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $left)) (local.get $fx)))
                    (br_if $skipx (i32.ge_u (local.get $ix) (local.get $w)))
                    ;; byte offset of x[b, iy, ix, k/4] from x
                    (local.set $off
                      (i32.add
                        (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $ix))
                          (local.get $cb))
                        (local.get $k)))
                    (local.set $v (v128.load (i32.add (local.get $x) (local.get $off))))
                    (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                    (local.set $pos
                      (v128.bitselect
                        (i32x4.add (i32x4.splat (local.get $off)) (v128.const i32x4 0 4 8 12))
                        (local.get $pos) (local.get $m))))
                  (local.set $fx (i32.add (local.get $fx) (local.get $dw)))
                  (br_if $lfx (i32.lt_u (local.get $fx) (local.get $effW)))))
              (local.set $fy (i32.add (local.get $fy) (local.get $dh)))
              (br_if $lfy (i32.lt_u (local.get $fy) (local.get $effH))))
            (local.set $dv (v128.load (i32.add (local.get $dyp) (local.get $k))))
            (local.set $p (i32x4.extract_lane 0 (local.get $pos)))
            (if (i32.ge_s (local.get $p) (i32.const 0))
              (then (local.set $p (i32.add (local.get $dx) (local.get $p)))
                (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 0 (local.get $dv))))))
            (local.set $p (i32x4.extract_lane 1 (local.get $pos)))
            (if (i32.ge_s (local.get $p) (i32.const 0))
              (then (local.set $p (i32.add (local.get $dx) (local.get $p)))
                (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 1 (local.get $dv))))))
            (local.set $p (i32x4.extract_lane 2 (local.get $pos)))
            (if (i32.ge_s (local.get $p) (i32.const 0))
              (then (local.set $p (i32.add (local.get $dx) (local.get $p)))
                (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 2 (local.get $dv))))))
            (local.set $p (i32x4.extract_lane 3 (local.get $pos)))
            (if (i32.ge_s (local.get $p) (i32.const 0))
              (then (local.set $p (i32.add (local.get $dx) (local.get $p)))
                (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 3 (local.get $dv))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br_if $lc (i32.lt_u (local.get $k) (local.get $cb))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br_if $lx (i32.lt_u (local.get $ox) (local.get $ow))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $ly (i32.lt_u (local.get $oy) (local.get $oh))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $n)))))

  ;; out[b, y*sh + i - top, xo*sw + j - left, ch] += col[(((b*h + y)*w + xo)*kh + i)*kw + j)*c + ch], for b, y,
  ;; xo, i, j in order (out zeroed by the caller); positions outside [oh, ow] are skipped. 4 channels a step
  ;; where c is a multiple of 4, else one.
  (func (export "col2im")
    (param $col i32) (param $out i32) (param $n i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32)
    (param $sh i32) (param $sw i32) (param $c i32) (param $oh i32) (param $ow i32) (param $top i32) (param $left i32)
    (local $b i32) (local $y i32) (local $xo i32) (local $i i32) (local $j i32) (local $ch i32)
    (local $oy i32) (local $ox i32) (local $cb i32) (local $row i32) (local $p i32) (local $q i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $row (local.get $col))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $y (i32.const 0))
      (loop $ly
        (local.set $xo (i32.const 0))
        (loop $lx
          (local.set $i (i32.const 0))
          (loop $li
            (local.set $oy (i32.sub (i32.add (i32.mul (local.get $y) (local.get $sh)) (local.get $i)) (local.get $top)))
            (if (i32.lt_u (local.get $oy) (local.get $oh))
              (then
                (local.set $j (i32.const 0))
                (loop $lj
                  (local.set $ox (i32.sub (i32.add (i32.mul (local.get $xo) (local.get $sw)) (local.get $j)) (local.get $left)))
                  (if (i32.lt_u (local.get $ox) (local.get $ow))
                    (then
                      (local.set $p (i32.add (local.get $row)
                        (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (local.get $cb))))
                      (local.set $q (i32.add (local.get $out)
                        (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $oy)) (local.get $ow)) (local.get $ox))
                          (local.get $cb))))
                      (local.set $ch (i32.const 0))
                      (if (i32.and (local.get $c) (i32.const 3))
                        (then
                          (loop $l1
                            (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (f32.load (local.get $p))))
                            (local.set $p (i32.add (local.get $p) (i32.const 4)))
                            (local.set $q (i32.add (local.get $q) (i32.const 4)))
                            (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                            (br_if $l1 (i32.lt_u (local.get $ch) (local.get $c)))))
                        (else
                          (loop $lc
                            (v128.store (local.get $q) (f32x4.add (v128.load (local.get $q)) (v128.load (local.get $p))))
                            (local.set $p (i32.add (local.get $p) (i32.const 16)))
                            (local.set $q (i32.add (local.get $q) (i32.const 16)))
                            (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                            (br_if $lc (i32.lt_u (local.get $ch) (local.get $c))))))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $lj (i32.lt_u (local.get $j) (local.get $kw))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $li (i32.lt_u (local.get $i) (local.get $kh))))
          (local.set $row (i32.add (local.get $row) (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cb))))
          (local.set $xo (i32.add (local.get $xo) (i32.const 1)))
          (br_if $lx (i32.lt_u (local.get $xo) (local.get $w))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $ly (i32.lt_u (local.get $y) (local.get $h))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_u (local.get $b) (local.get $n)))))

  ;; 1 when none of the n float32 values at p is NaN or infinite (exponent bits all ones), else 0.
  (func (export "allFinite") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $vend i32) (local $bad v128) (local $exp v128)
    (local.set $exp (i32x4.splat (i32.const 0x7f800000)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $v
        (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $bad
          (v128.or (local.get $bad)
            (i32x4.eq (v128.and (v128.load (local.get $p)) (local.get $exp)) (local.get $exp))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $tail
      (loop $s
        (br_if $tail (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eq (i32.and (i32.load (local.get $p)) (i32.const 0x7f800000)) (i32.const 0x7f800000))
          (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $s)))
    (i32.eqz (v128.any_true (local.get $bad))))

  ;; dw[((i*kw + j)*4 + f)*c + ch] = sum over b, y, xo (in order) of x[b, y+i-top, xo+j-left, ch] * dy[b, y, xo, f]
  ;; for f < 4 and ch < c (a multiple of 8); taps outside the input are skipped (zero padding). Layout
  ;; [kh, kw, 4, C]: the caller transposes it to [kh, kw, C, 4].
  (func (export "filterGradF4")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32)
    (param $top i32) (param $left i32)
    (local $i i32) (local $j i32) (local $cb i32) (local $b i32) (local $y i32) (local $xo i32)
    (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32) (local $xp i32) (local $dp i32) (local $cs i32)
    (local $out i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $v0 v128) (local $v1 v128) (local $s v128)
    (local.set $cs (i32.shl (local.get $c) (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $li
      ;; rows y with 0 <= y + i - top < h
      (local.set $y0 (select (i32.sub (local.get $top) (local.get $i)) (i32.const 0) (i32.gt_s (i32.sub (local.get $top) (local.get $i)) (i32.const 0))))
      (local.set $y1 (i32.add (local.get $h) (i32.sub (local.get $top) (local.get $i))))
      (if (i32.gt_s (local.get $y1) (local.get $oh)) (then (local.set $y1 (local.get $oh))))
      (local.set $j (i32.const 0))
      (loop $lj
        (local.set $x0 (select (i32.sub (local.get $left) (local.get $j)) (i32.const 0) (i32.gt_s (i32.sub (local.get $left) (local.get $j)) (i32.const 0))))
        (local.set $x1 (i32.add (local.get $w) (i32.sub (local.get $left) (local.get $j))))
        (if (i32.gt_s (local.get $x1) (local.get $ow)) (then (local.set $x1 (local.get $ow))))
        (local.set $cb (i32.const 0))
        (loop $lc
          (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
          (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
          (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
          (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0))
          (if (i32.and (i32.lt_s (local.get $y0) (local.get $y1)) (i32.lt_s (local.get $x0) (local.get $x1)))
            (then
              (local.set $b (i32.const 0))
              (loop $lb
                (local.set $y (local.get $y0))
                (loop $ly
                  (local.set $xp
                    (i32.add (local.get $x)
                      (i32.add (i32.shl (local.get $cb) (i32.const 2))
                        (i32.mul (local.get $cs)
                          (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (i32.sub (i32.add (local.get $y) (local.get $i)) (local.get $top))) (local.get $w))
                            (i32.sub (i32.add (local.get $x0) (local.get $j)) (local.get $left)))))))
                  (local.set $dp
                    (i32.add (local.get $dy)
                      (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $y)) (local.get $ow)) (local.get $x0)) (i32.const 4))))
                  (local.set $xo (local.get $x0))
                  (loop $lx
                    (local.set $v0 (v128.load (local.get $xp)))
                    (local.set $v1 (v128.load offset=16 (local.get $xp)))
                    (local.set $s (f32x4.splat (f32.load (local.get $dp))))
                    (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v0) (local.get $s))))
                    (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v1) (local.get $s))))
                    (local.set $s (f32x4.splat (f32.load offset=4 (local.get $dp))))
                    (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v0) (local.get $s))))
                    (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v1) (local.get $s))))
                    (local.set $s (f32x4.splat (f32.load offset=8 (local.get $dp))))
                    (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $v0) (local.get $s))))
                    (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $v1) (local.get $s))))
                    (local.set $s (f32x4.splat (f32.load offset=12 (local.get $dp))))
                    (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $v0) (local.get $s))))
                    (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $v1) (local.get $s))))
                    (local.set $xp (i32.add (local.get $xp) (local.get $cs)))
                    (local.set $dp (i32.add (local.get $dp) (i32.const 16)))
                    (local.set $xo (i32.add (local.get $xo) (i32.const 1)))
                    (br_if $lx (i32.lt_s (local.get $xo) (local.get $x1))))
                  (local.set $y (i32.add (local.get $y) (i32.const 1)))
                  (br_if $ly (i32.lt_s (local.get $y) (local.get $y1))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br_if $lb (i32.lt_u (local.get $b) (local.get $n))))))
          ;; dw[((i*kw + j)*4 + f)*c + cb ..]: output f's 8 channels are a(2f), a(2f+1)
          (local.set $out
            (i32.add (local.get $dw)
              (i32.add (i32.shl (local.get $cb) (i32.const 2))
                (i32.mul (i32.shl (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (i32.const 2)) (local.get $cs)))))
          (v128.store (local.get $out) (local.get $a0))
          (v128.store offset=16 (local.get $out) (local.get $a1))
          (local.set $out (i32.add (local.get $out) (local.get $cs)))
          (v128.store (local.get $out) (local.get $a2))
          (v128.store offset=16 (local.get $out) (local.get $a3))
          (local.set $out (i32.add (local.get $out) (local.get $cs)))
          (v128.store (local.get $out) (local.get $a4))
          (v128.store offset=16 (local.get $out) (local.get $a5))
          (local.set $out (i32.add (local.get $out) (local.get $cs)))
          (v128.store (local.get $out) (local.get $a6))
          (v128.store offset=16 (local.get $out) (local.get $a7))
          (local.set $cb (i32.add (local.get $cb) (i32.const 8)))
          (br_if $lc (i32.lt_u (local.get $cb) (local.get $c))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.lt_u (local.get $j) (local.get $kw))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.lt_u (local.get $i) (local.get $kh)))))
)
