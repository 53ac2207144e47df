;; latentkit's fused optimizer updates as wasm SIMD loops over tfjs-backend-wasm's own memory (imported),
;; 4 float32 lanes at a time, then a scalar tail. Every operation is an IEEE float32 instruction in tfjs's
;; order (see ../fusedUpdates.ts for the formulas and why this is bit for bit tfjs's result).
;; Pointers are byte offsets of the tensors' buffers in the heap; outputs never alias inputs.
;;
;; Assembled by test/backend/simdUpdatesBinary.ts (wabt) into simdUpdates.bytes.ts, twice: with this memory
;; import (tfjs's threaded build, shared memory) and with `(memory (import "env" "memory") 1)` (SIMD build).
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; tfjs's Adam: m' = m*b1 + g*ob1; v' = v*b2 + (g*g)*ob2; x' = ((m'/c1) / (sqrt(v'/c2) + eps)) * nlr + x
  (func (export "adam")
    (param $x i32) (param $g i32) (param $m i32) (param $v i32)
    (param $xo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $ob1 f32) (param $b2 f32) (param $ob2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $end i32)
    (local $gv v128) (local $m1 v128) (local $v1 v128)
    (local $B1 v128) (local $OB1 v128) (local $B2 v128) (local $OB2 v128)
    (local $C1 v128) (local $C2 v128) (local $EPS v128) (local $NLR v128)
    (local $gs f32) (local $m1s f32) (local $v1s f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $OB1 (f32x4.splat (local.get $ob1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OB2 (f32x4.splat (local.get $ob2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $m1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
            (f32x4.mul (local.get $gv) (local.get $OB1))))
        (local.set $v1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $OB2))))
        (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $m1))
        (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $v1))
        (v128.store (i32.add (local.get $xo) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m1) (local.get $C1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v1) (local.get $C2))) (local.get $EPS)))
              (local.get $NLR))
            (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $m1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $ob1))))
        (local.set $v1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $ob2))))
        (f32.store (i32.add (local.get $mo) (local.get $i)) (local.get $m1s))
        (f32.store (i32.add (local.get $vo) (local.get $i)) (local.get $v1s))
        (f32.store (i32.add (local.get $xo) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $m1s) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $v1s) (local.get $c2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))

  ;; tfjs's momentum: acc' = mom*acc + g; x' = c*acc' + x, or (Nesterov) x' = c*(g + acc'*mom) + x; c = -lr
  (func (export "momentum")
    (param $x i32) (param $g i32) (param $acc i32) (param $xo i32) (param $acco i32) (param $n i32)
    (param $c f32) (param $mom f32) (param $nesterov i32)
    (local $i i32) (local $end i32)
    (local $gv v128) (local $a1 v128) (local $C v128) (local $MOM v128)
    (local $gs f32) (local $a1s f32)
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $MOM (f32x4.splat (local.get $mom)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $a1
          (f32x4.add (f32x4.mul (local.get $MOM) (v128.load (i32.add (local.get $acc) (local.get $i)))) (local.get $gv)))
        (v128.store (i32.add (local.get $acco) (local.get $i)) (local.get $a1))
        (v128.store (i32.add (local.get $xo) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (local.get $C)
              (select (result v128)
                (f32x4.add (local.get $gv) (f32x4.mul (local.get $a1) (local.get $MOM)))
                (local.get $a1)
                (local.get $nesterov)))
            (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $a1s
          (f32.add (f32.mul (local.get $mom) (f32.load (i32.add (local.get $acc) (local.get $i)))) (local.get $gs)))
        (f32.store (i32.add (local.get $acco) (local.get $i)) (local.get $a1s))
        (f32.store (i32.add (local.get $xo) (local.get $i))
          (f32.add
            (f32.mul
              (local.get $c)
              (select (result f32)
                (f32.add (local.get $gs) (f32.mul (local.get $a1s) (local.get $mom)))
                (local.get $a1s)
                (local.get $nesterov)))
            (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))

  ;; tfjs's SGD: x' = c*g + x; c = -lr
  (func (export "sgd")
    (param $x i32) (param $g i32) (param $xo i32) (param $n i32) (param $c f32)
    (local $i i32) (local $end i32) (local $C v128)
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $xo) (local.get $i))
          (f32x4.add
            (f32x4.mul (local.get $C) (v128.load (i32.add (local.get $g) (local.get $i))))
            (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $xo) (local.get $i))
          (f32.add
            (f32.mul (local.get $c) (f32.load (i32.add (local.get $g) (local.get $i))))
            (f32.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))

  ;; tfjs's RMSprop, not centered: ms' = ms*d + (g*g)*od; mom' = mom*p + (g*lr) / sqrt(ms' + eps); x' = x - mom'
  (func (export "rmsprop")
    (param $x i32) (param $g i32) (param $ms i32) (param $mom i32)
    (param $xo i32) (param $mso i32) (param $momo i32) (param $n i32)
    (param $d f32) (param $od f32) (param $p f32) (param $lr f32) (param $eps f32)
    (local $i i32) (local $end i32)
    (local $gv v128) (local $ms1 v128) (local $mom1 v128)
    (local $D v128) (local $OD v128) (local $P v128) (local $LR v128) (local $EPS v128)
    (local $gs f32) (local $ms1s f32) (local $mom1s f32)
    (local.set $D (f32x4.splat (local.get $d)))
    (local.set $OD (f32x4.splat (local.get $od)))
    (local.set $P (f32x4.splat (local.get $p)))
    (local.set $LR (f32x4.splat (local.get $lr)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $ms) (local.get $i))) (local.get $D))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $OD))))
        (local.set $mom1
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $mom) (local.get $i))) (local.get $P))
            (f32x4.div
              (f32x4.mul (local.get $gv) (local.get $LR))
              (f32x4.sqrt (f32x4.add (local.get $ms1) (local.get $EPS))))))
        (v128.store (i32.add (local.get $mso) (local.get $i)) (local.get $ms1))
        (v128.store (i32.add (local.get $momo) (local.get $i)) (local.get $mom1))
        (v128.store (i32.add (local.get $xo) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mom1)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $ms) (local.get $i))) (local.get $d))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $od))))
        (local.set $mom1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $mom) (local.get $i))) (local.get $p))
            (f32.div
              (f32.mul (local.get $gs) (local.get $lr))
              (f32.sqrt (f32.add (local.get $ms1s) (local.get $eps))))))
        (f32.store (i32.add (local.get $mso) (local.get $i)) (local.get $ms1s))
        (f32.store (i32.add (local.get $momo) (local.get $i)) (local.get $mom1s))
        (f32.store (i32.add (local.get $xo) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $mom1s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop))))
)
