/* Per-take audio work in one or two passes over the float32 samples (see app/speech/native/__init__.py).
 *
 * Every result must equal, bit for bit, what the numpy reference code in app/speech/audio.py computes:
 *  - sums of squares use numpy's pairwise summation (the tree of its add.reduce over a contiguous row);
 *  - the K-weighting filter runs scipy.signal.lfilter's direct form II transposed, operation by operation;
 *  - the running sum is numpy's cumsum (sequential);
 *  - comparisons against a level are made in float32, as numpy compares a float32 array with a Python float;
 *  - the 16-bit conversion is to_wav_bytes': float32 gain, x * 2^31, rint (half to even), clip, >> 16.
 * Build without -ffast-math and with -ffp-contract=off (no fused multiply-add): the order of operations is
 * the contract.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PW_BLOCKSIZE 128

/* numpy's pairwise sum (loops_utils.h.src) of x[i]*x[i] in float64, x float32. */
static double pw_sq_f32(const float *a, int64_t n)
{
    if (n < 8) {
        double res = 0.;
        for (int64_t i = 0; i < n; i++) res += (double)a[i] * (double)a[i];
        return res;
    }
    if (n <= PW_BLOCKSIZE) {
        int64_t i;
        double res;
#ifdef __SSE2__
        /* numpy's eight accumulators r[0..7], two to a register */
        __m128 f = _mm_loadu_ps(a), g = _mm_loadu_ps(a + 4);
        __m128d d0 = _mm_cvtps_pd(f), d1 = _mm_cvtps_pd(_mm_movehl_ps(f, f));
        __m128d d2 = _mm_cvtps_pd(g), d3 = _mm_cvtps_pd(_mm_movehl_ps(g, g));
        __m128d r0 = _mm_mul_pd(d0, d0), r1 = _mm_mul_pd(d1, d1), r2 = _mm_mul_pd(d2, d2), r3 = _mm_mul_pd(d3, d3);
        for (i = 8; i < n - (n % 8); i += 8) {
            f = _mm_loadu_ps(a + i), g = _mm_loadu_ps(a + i + 4);
            d0 = _mm_cvtps_pd(f), d1 = _mm_cvtps_pd(_mm_movehl_ps(f, f));
            d2 = _mm_cvtps_pd(g), d3 = _mm_cvtps_pd(_mm_movehl_ps(g, g));
            r0 = _mm_add_pd(r0, _mm_mul_pd(d0, d0));
            r1 = _mm_add_pd(r1, _mm_mul_pd(d1, d1));
            r2 = _mm_add_pd(r2, _mm_mul_pd(d2, d2));
            r3 = _mm_add_pd(r3, _mm_mul_pd(d3, d3));
        }
        double r[8];
        _mm_storeu_pd(r, r0), _mm_storeu_pd(r + 2, r1), _mm_storeu_pd(r + 4, r2), _mm_storeu_pd(r + 6, r3);
#else
        double r[8];
        for (int k = 0; k < 8; k++) r[k] = (double)a[k] * (double)a[k];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int k = 0; k < 8; k++) r[k] += (double)a[i + k] * (double)a[i + k];
#endif
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += (double)a[i] * (double)a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_sq_f32(a, n2) + pw_sq_f32(a + n2, n - n2);
}

/* numpy's pairwise sum of float64 values. */
static double pw_f64(const double *a, int64_t n)
{
    if (n < 8) {
        double res = 0.;
        for (int64_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= PW_BLOCKSIZE) {
        double r[8];
        int64_t i;
        for (int k = 0; k < 8; k++) r[k] = a[k];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int k = 0; k < 8; k++) r[k] += a[i + k];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_f64(a, n2) + pw_f64(a + n2, n - n2);
}

/* Counts |x| >= clip_level over n samples into *clipped; returns 1 when a sample is NaN or infinite. */
static int levels(const float *x, int64_t n, float clip_level, int64_t *clipped)
{
    int64_t over = 0, i = 0;
    int bad = 0;
#ifdef __SSE2__
    const __m128 sign = _mm_set1_ps(-0.0f), big = _mm_set1_ps(FLT_MAX), lvl = _mm_set1_ps(clip_level);
    __m128 bad4 = _mm_setzero_ps();
    while (i + 4 <= n) {
        __m128i count4 = _mm_setzero_si128();     /* 32-bit lanes: flushed every 2^28 samples */
        int64_t stop = n - i > (1 << 28) ? i + (1 << 28) : n;
        for (; i + 4 <= stop; i += 4) {
            __m128 v = _mm_andnot_ps(sign, _mm_loadu_ps(x + i));
            bad4 = _mm_or_ps(bad4, _mm_cmpnle_ps(v, big));         /* NaN or inf */
            count4 = _mm_sub_epi32(count4, _mm_castps_si128(_mm_cmpge_ps(v, lvl)));
        }
        int32_t c[4];
        _mm_storeu_si128((__m128i *)c, count4);
        over += (int64_t)c[0] + c[1] + c[2] + c[3];
    }
    bad = _mm_movemask_ps(bad4) != 0;
#endif
    for (; i < n; i++) {
        float v = fabsf(x[i]);
        bad |= !(v <= FLT_MAX);
        over += v >= clip_level;
    }
    *clipped += over;
    return bad;
}

/* One step of scipy's lfilter (direct form II transposed, 4th order, a[0] == 1), in its order of operations. */
#define KW_STEP(xn, yn)                                  \
    do {                                                 \
        yn = z0 + b0 * xn;                               \
        z0 = (z1 + xn * b1) - yn * a1;                   \
        z1 = (z2 + xn * b2) - yn * a2;                   \
        z2 = (z3 + xn * b3) - yn * a3;                   \
        z3 = xn * b4 - yn * a4;                          \
    } while (0)

/* The K-weighting filter over the samples the energies need, with the level checks of those samples done in
 * the same loop (the filter waits on its own latency: they cost nothing there). Sets *done to the number of
 * samples read; returns 1 for a NaN or infinite sample. */
static inline __attribute__((always_inline)) int
kweighted(const float *x, int64_t n, const double *b, const double *a, int64_t hop, const int64_t *marks,
          int64_t count, double *out, double *scratch, float clip_level, int64_t *clipped, int64_t *done)
{
    const double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4];
    const double a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
    double z0 = 0.0, z1 = 0.0, z2 = 0.0, z3 = 0.0, yn;
    int64_t over = 0, i = 0;
    int bad = 0;
    if (hop > 0) {
        int64_t end = count * hop < n ? count * hop : n;
        for (int64_t k = 0; k < count; k++) {
            int64_t m = end - k * hop;
            m = m > hop ? hop : m < 0 ? 0 : m;
            for (int64_t j = 0; j < m; j++, i++) {
                float v = fabsf(x[i]);
                bad |= !(v <= FLT_MAX);
                over += v >= clip_level;
                double xn = (double)x[i];
                KW_STEP(xn, yn);
                scratch[j] = yn * yn;
            }
            for (int64_t j = m; j < hop; j++) scratch[j] = 0.0;
            out[k] = pw_f64(scratch, hop);
        }
    } else {
        double acc = 0.0;
        for (int64_t k = 0; k < count; k++) {
            int64_t stop = marks[k] < n ? marks[k] : n;
            for (; i < stop; i++) {
                float v = fabsf(x[i]);
                bad |= !(v <= FLT_MAX);
                over += v >= clip_level;
                double xn = (double)x[i];
                KW_STEP(xn, yn);
                acc = acc + yn * yn;
            }
            out[k] = acc;
        }
    }
    *clipped += over;
    *done = i;
    return bad;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same code in the VEX encoding where the CPU has it (three-operand instructions: fewer register copies in
 * the filter's loop). Same operations, same results: no FMA (-ffp-contract=off and no "fma" target). */
__attribute__((target("avx"))) static int
kweighted_avx(const float *x, int64_t n, const double *b, const double *a, int64_t hop, const int64_t *marks,
              int64_t count, double *out, double *scratch, float clip_level, int64_t *clipped, int64_t *done)
{
    return kweighted(x, n, b, a, hop, marks, count, out, scratch, clip_level, clipped, done);
}
#endif

static int kweighted_best(const float *x, int64_t n, const double *b, const double *a, int64_t hop,
                          const int64_t *marks, int64_t count, double *out, double *scratch, float clip_level,
                          int64_t *clipped, int64_t *done)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx"))
        return kweighted_avx(x, n, b, a, hop, marks, count, out, scratch, clip_level, clipped, done);
#endif
    return kweighted(x, n, b, a, hop, marks, count, out, scratch, clip_level, clipped, done);
}

/* Everything the checks and the loudness meter read from a clip, in one pass. Returns 1 when a sample is NaN or
 * infinite (nothing else is then meaningful: the caller runs the reference code), else 0 with
 *  - *clipped = number of samples with |x| >= clip_level (float32 comparison);
 *  - when frame > 0: power[k] = mean of x^2 over frame k of `frame` samples (frames = n / frame; a clip shorter
 *    than one frame is one frame of n samples);
 *  - when b != NULL: z[k] for k < blocks, the mean square of the K-weighted signal y = lfilter(b, a, x)
 *    (b, a: 5 coefficients, a[0] == 1) over 400 ms block k, as measure_lufs computes it:
 *    hop > 0: e[j] = sum of y^2 over samples [j*hop, (j+1)*hop) for j < count (zeros past n; numpy's pairwise
 *    sum) and z[k] = (e[k] + e[k+1] + e[k+2] + e[k+3]) / scale;
 *    hop == 0: e[j] = running sum of y^2 over [0, marks[j]) for j < count, marks ascending (numpy's cumsum),
 *    and z[k] = (e[where[blocks + k]] - e[where[k]]) / scale.
 *    `work` holds count + hop doubles. */
int onepin_analyze(const float *x, int64_t n, float clip_level, int64_t frame, int64_t *clipped, double *power,
                   const double *b, const double *a, int64_t hop, const int64_t *marks, int64_t count,
                   const int64_t *where, int64_t blocks, double scale, double *z, double *work)
{
    int64_t done = 0;
    int bad = 0;
    *clipped = 0;
    if (b != NULL) {
        double *e = work;
        bad = kweighted_best(x, n, b, a, hop, marks, count, e, work + count, clip_level, clipped, &done);
        if (hop > 0) {
            for (int64_t k = 0; k < blocks; k++) z[k] = (((e[k] + e[k + 1]) + e[k + 2]) + e[k + 3]) / scale;
        } else {
            for (int64_t k = 0; k < blocks; k++) z[k] = (e[where[blocks + k]] - e[where[k]]) / scale;
        }
    }
    bad |= levels(x + done, n - done, clip_level, clipped);
    if (bad) return 1;
    if (n == 0 || frame <= 0) return 0;
    int64_t frames = n / frame;
    if (frames == 0) {
        power[0] = pw_sq_f32(x, n) / (double)n;
    } else {
        for (int64_t k = 0; k < frames; k++)
            power[k] = pw_sq_f32(x + k * frame, frame) / (double)frame;
    }
    return 0;
}

/* 16-bit PCM of x * gain (float32 multiply), as to_wav_bytes writes it: rint(v * 2^31) clipped to
 * [-2^31, 32767 << 16], then >> 16; *over = how many |x * gain| > ceiling (those need the peak limiter).
 * Returns 1 when a sample is NaN (the output is not usable), else 0. */
int onepin_pcm16(const float *x, int64_t n, float gain, float ceiling, int16_t *out, int64_t *over)
{
    const float scale = 2147483648.0f, lo = -2147483648.0f, hi = 2147418112.0f;
    int64_t i = 0, count = 0;
    int nan = 0;
    /* rint then clip == clip then rint: both bounds are integers, rint is monotone. */
#ifdef __SSE2__
    const __m128 g4 = _mm_set1_ps(gain), s4 = _mm_set1_ps(scale), lo4 = _mm_set1_ps(lo), hi4 = _mm_set1_ps(hi);
    const __m128 c4 = _mm_set1_ps(ceiling), sign = _mm_set1_ps(-0.0f);
    __m128 nan4 = _mm_setzero_ps();
    while (i + 8 <= n) {
        __m128i count4 = _mm_setzero_si128();     /* 32-bit lanes: flushed every 2^28 samples */
        int64_t stop = n - i > (1 << 28) ? i + (1 << 28) : n;
        for (; i + 8 <= stop; i += 8) {
            __m128 u = _mm_mul_ps(_mm_loadu_ps(x + i), g4), v = _mm_mul_ps(_mm_loadu_ps(x + i + 4), g4);
            nan4 = _mm_or_ps(nan4, _mm_or_ps(_mm_cmpunord_ps(u, u), _mm_cmpunord_ps(v, v)));
            count4 = _mm_sub_epi32(count4, _mm_castps_si128(_mm_cmpgt_ps(_mm_andnot_ps(sign, u), c4)));
            count4 = _mm_sub_epi32(count4, _mm_castps_si128(_mm_cmpgt_ps(_mm_andnot_ps(sign, v), c4)));
            u = _mm_min_ps(_mm_max_ps(_mm_mul_ps(u, s4), lo4), hi4);
            v = _mm_min_ps(_mm_max_ps(_mm_mul_ps(v, s4), lo4), hi4);
            __m128i p = _mm_srai_epi32(_mm_cvtps_epi32(u), 16), q = _mm_srai_epi32(_mm_cvtps_epi32(v), 16);
            _mm_storeu_si128((__m128i *)(out + i), _mm_packs_epi32(p, q));
        }
        int32_t c[4];
        _mm_storeu_si128((__m128i *)c, count4);
        count += (int64_t)c[0] + c[1] + c[2] + c[3];
    }
    nan = _mm_movemask_ps(nan4) != 0;
#endif
    for (; i < n; i++) {
        float t = x[i] * gain;
        nan |= t != t;
        count += fabsf(t) > ceiling;
        float v = rintf(t * scale);
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
        out[i] = t != t ? 0 : (int16_t)((int32_t)v >> 16);
    }
    *over = count;
    return nan;
}

/* The indices of the samples with |x * gain| > ceiling, ascending, into where[]; returns how many. */
int64_t onepin_over(const float *x, int64_t n, float gain, float ceiling, int64_t *where)
{
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++)
        if (fabsf(x[i] * gain) > ceiling) where[count++] = i;
    return count;
}
