// Where the packed panels of op(B) come from. The blocked GEMM never reads B directly: for every
// KC×NC block it asks a source to write the block as NR-wide, k-major micro-panels. For an ordinary
// matrix the source copies (MatrixBSource); for a convolution it gathers the im2col columns straight
// from the image (Im2ColPackedB), so the lowered matrix — nine times the input for a 3×3 kernel —
// is never written out and read back.
namespace Pipeline.Models.Kernels;

/// <summary>Writes blocks of op(B) (k×n) in the packed micro-panel layout of <see cref="SgemmBlocked"/>.</summary>
internal unsafe interface IPackedBSource
{
    /// <summary>
    /// Packs rows [<paramref name="p0"/>, p0 + <paramref name="kc"/>) × columns [<paramref name="j0"/>, j0 + <paramref name="nc"/>)
    /// of op(B): column j0 + q·nr + l, row p0 + p goes to <paramref name="destination"/>[q·kc·nr + p·nr + l], and the
    /// lanes of a last, partial panel are zero.
    /// </summary>
    void Pack(int p0, int kc, int j0, int nc, float* destination, int nr);
}

/// <summary>op(B) is a row-major matrix in memory (stored k×n, or n×k when transposed).</summary>
internal readonly unsafe struct MatrixBSource(bool transposeB, float* b, nint ldb) : IPackedBSource
{
    public void Pack(int p0, int kc, int j0, int nc, float* destination, int nr)
    {
        float* block = transposeB ? b + j0 * ldb + p0 : b + p0 * ldb + j0;
        SgemmPacking.PackB(transposeB, block, ldb, kc, nc, destination, nr);
    }
}
