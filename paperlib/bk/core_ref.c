/* The causal BK-Core continued fraction written as plainly as possible: the yardstick for bk_diag's speed.
 *
 *   d_i = h0 + v_i - z,  D_0 = d_0,  D_i = d_i - off_{i-1}^2 g_{i-1},  g_i = 1/D_i   (paperlib/bk/core.py)
 *
 * One loop over rows, one over N; complex numbers as separate re/im doubles, 1/(x+iy) = (x-iy)/(x^2+y^2).
 * v: rows x n, off: rows x (n-1), out: rows x n x 2 (re, im interleaved, i.e. a complex128 array).
 * Built by paperlib.bk_core_bench with `cc -O2 -shared -fPIC` into build/ and called through ctypes.
 */
void bk_causal_ref(const double *v, const double *off, double h0, double z_re, double z_im,
                   long rows, long n, double *out)
{
    for (long r = 0; r < rows; r++) {
        const double *vr = v + r * n;
        const double *o = off + r * (n - 1);
        double *g = out + 2 * r * n;
        double g_re = 0.0, g_im = 0.0;
        for (long i = 0; i < n; i++) {
            double x = h0 + vr[i] - z_re;
            double y = -z_im;
            if (i > 0) {
                double b2 = o[i - 1] * o[i - 1];
                x -= b2 * g_re;
                y -= b2 * g_im;
            }
            double s = x * x + y * y;
            g_re = x / s;
            g_im = -y / s;
            g[2 * i] = g_re;
            g[2 * i + 1] = g_im;
        }
    }
}
