// 16×16 float transposes in AVX-512 registers, the core of the reorders between NCHW tensors and channel-blocked
// buffers (BlockedLayout): 16 channel rows of 16 pixels become 16 pixels of 16 lanes, and back. Recursive block
// transpose: four stages, each swapping the off-diagonal s×s blocks of every 2s×2s block (s = 8, 4, 2, 1) with
// two-source permutes (vpermt2ps), 64 permutes per 256 floats instead of 256 scalar loads and stores each.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>16×16 transposes of float blocks (AVX-512F).</summary>
internal static unsafe class Transpose16
{
    /// <summary>Whether this CPU runs the transposes.</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>destination[j·destinationStride + i] = source[i·sourceStride + j] for i, j in [0, 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        var r0 = Vector512.Load(source + 0 * sourceStride);
        var r1 = Vector512.Load(source + 1 * sourceStride);
        var r2 = Vector512.Load(source + 2 * sourceStride);
        var r3 = Vector512.Load(source + 3 * sourceStride);
        var r4 = Vector512.Load(source + 4 * sourceStride);
        var r5 = Vector512.Load(source + 5 * sourceStride);
        var r6 = Vector512.Load(source + 6 * sourceStride);
        var r7 = Vector512.Load(source + 7 * sourceStride);
        var r8 = Vector512.Load(source + 8 * sourceStride);
        var r9 = Vector512.Load(source + 9 * sourceStride);
        var r10 = Vector512.Load(source + 10 * sourceStride);
        var r11 = Vector512.Load(source + 11 * sourceStride);
        var r12 = Vector512.Load(source + 12 * sourceStride);
        var r13 = Vector512.Load(source + 13 * sourceStride);
        var r14 = Vector512.Load(source + 14 * sourceStride);
        var r15 = Vector512.Load(source + 15 * sourceStride);
        Vector512<float> t;
        var lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        var hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        var lo4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
        var hi4 = Vector512.Create(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
        var lo2 = Vector512.Create(0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
        var hi2 = Vector512.Create(2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
        var lo1 = Vector512.Create(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
        var hi1 = Vector512.Create(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
        // Stage 8: swap the off-diagonal 8x8 blocks of every 16x16 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo8, r8); r8 = Avx512F.PermuteVar16x32x2(r0, hi8, r8); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo8, r9); r9 = Avx512F.PermuteVar16x32x2(r1, hi8, r9); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo8, r10); r10 = Avx512F.PermuteVar16x32x2(r2, hi8, r10); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r3, lo8, r11); r11 = Avx512F.PermuteVar16x32x2(r3, hi8, r11); r3 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo8, r12); r12 = Avx512F.PermuteVar16x32x2(r4, hi8, r12); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r5, lo8, r13); r13 = Avx512F.PermuteVar16x32x2(r5, hi8, r13); r5 = t;
        t = Avx512F.PermuteVar16x32x2(r6, lo8, r14); r14 = Avx512F.PermuteVar16x32x2(r6, hi8, r14); r6 = t;
        t = Avx512F.PermuteVar16x32x2(r7, lo8, r15); r15 = Avx512F.PermuteVar16x32x2(r7, hi8, r15); r7 = t;
        // Stage 4: swap the off-diagonal 4x4 blocks of every 8x8 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo4, r4); r4 = Avx512F.PermuteVar16x32x2(r0, hi4, r4); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo4, r5); r5 = Avx512F.PermuteVar16x32x2(r1, hi4, r5); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo4, r6); r6 = Avx512F.PermuteVar16x32x2(r2, hi4, r6); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r3, lo4, r7); r7 = Avx512F.PermuteVar16x32x2(r3, hi4, r7); r3 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo4, r12); r12 = Avx512F.PermuteVar16x32x2(r8, hi4, r12); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r9, lo4, r13); r13 = Avx512F.PermuteVar16x32x2(r9, hi4, r13); r9 = t;
        t = Avx512F.PermuteVar16x32x2(r10, lo4, r14); r14 = Avx512F.PermuteVar16x32x2(r10, hi4, r14); r10 = t;
        t = Avx512F.PermuteVar16x32x2(r11, lo4, r15); r15 = Avx512F.PermuteVar16x32x2(r11, hi4, r15); r11 = t;
        // Stage 2: swap the off-diagonal 2x2 blocks of every 4x4 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo2, r2); r2 = Avx512F.PermuteVar16x32x2(r0, hi2, r2); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo2, r3); r3 = Avx512F.PermuteVar16x32x2(r1, hi2, r3); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo2, r6); r6 = Avx512F.PermuteVar16x32x2(r4, hi2, r6); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r5, lo2, r7); r7 = Avx512F.PermuteVar16x32x2(r5, hi2, r7); r5 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo2, r10); r10 = Avx512F.PermuteVar16x32x2(r8, hi2, r10); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r9, lo2, r11); r11 = Avx512F.PermuteVar16x32x2(r9, hi2, r11); r9 = t;
        t = Avx512F.PermuteVar16x32x2(r12, lo2, r14); r14 = Avx512F.PermuteVar16x32x2(r12, hi2, r14); r12 = t;
        t = Avx512F.PermuteVar16x32x2(r13, lo2, r15); r15 = Avx512F.PermuteVar16x32x2(r13, hi2, r15); r13 = t;
        // Stage 1: swap the off-diagonal 1x1 blocks of every 2x2 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo1, r1); r1 = Avx512F.PermuteVar16x32x2(r0, hi1, r1); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo1, r3); r3 = Avx512F.PermuteVar16x32x2(r2, hi1, r3); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo1, r5); r5 = Avx512F.PermuteVar16x32x2(r4, hi1, r5); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r6, lo1, r7); r7 = Avx512F.PermuteVar16x32x2(r6, hi1, r7); r6 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo1, r9); r9 = Avx512F.PermuteVar16x32x2(r8, hi1, r9); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r10, lo1, r11); r11 = Avx512F.PermuteVar16x32x2(r10, hi1, r11); r10 = t;
        t = Avx512F.PermuteVar16x32x2(r12, lo1, r13); r13 = Avx512F.PermuteVar16x32x2(r12, hi1, r13); r12 = t;
        t = Avx512F.PermuteVar16x32x2(r14, lo1, r15); r15 = Avx512F.PermuteVar16x32x2(r14, hi1, r15); r14 = t;
        r0.Store(destination + 0 * destinationStride);
        r1.Store(destination + 1 * destinationStride);
        r2.Store(destination + 2 * destinationStride);
        r3.Store(destination + 3 * destinationStride);
        r4.Store(destination + 4 * destinationStride);
        r5.Store(destination + 5 * destinationStride);
        r6.Store(destination + 6 * destinationStride);
        r7.Store(destination + 7 * destinationStride);
        r8.Store(destination + 8 * destinationStride);
        r9.Store(destination + 9 * destinationStride);
        r10.Store(destination + 10 * destinationStride);
        r11.Store(destination + 11 * destinationStride);
        r12.Store(destination + 12 * destinationStride);
        r13.Store(destination + 13 * destinationStride);
        r14.Store(destination + 14 * destinationStride);
        r15.Store(destination + 15 * destinationStride);
    }

    /// <summary>destination[j·destinationStride + i] += source[i·sourceStride + j] for i, j in [0, 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BlockAdd(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        var r0 = Vector512.Load(source + 0 * sourceStride);
        var r1 = Vector512.Load(source + 1 * sourceStride);
        var r2 = Vector512.Load(source + 2 * sourceStride);
        var r3 = Vector512.Load(source + 3 * sourceStride);
        var r4 = Vector512.Load(source + 4 * sourceStride);
        var r5 = Vector512.Load(source + 5 * sourceStride);
        var r6 = Vector512.Load(source + 6 * sourceStride);
        var r7 = Vector512.Load(source + 7 * sourceStride);
        var r8 = Vector512.Load(source + 8 * sourceStride);
        var r9 = Vector512.Load(source + 9 * sourceStride);
        var r10 = Vector512.Load(source + 10 * sourceStride);
        var r11 = Vector512.Load(source + 11 * sourceStride);
        var r12 = Vector512.Load(source + 12 * sourceStride);
        var r13 = Vector512.Load(source + 13 * sourceStride);
        var r14 = Vector512.Load(source + 14 * sourceStride);
        var r15 = Vector512.Load(source + 15 * sourceStride);
        Vector512<float> t;
        var lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        var hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        var lo4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
        var hi4 = Vector512.Create(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
        var lo2 = Vector512.Create(0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
        var hi2 = Vector512.Create(2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
        var lo1 = Vector512.Create(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
        var hi1 = Vector512.Create(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
        // Stage 8: swap the off-diagonal 8x8 blocks of every 16x16 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo8, r8); r8 = Avx512F.PermuteVar16x32x2(r0, hi8, r8); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo8, r9); r9 = Avx512F.PermuteVar16x32x2(r1, hi8, r9); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo8, r10); r10 = Avx512F.PermuteVar16x32x2(r2, hi8, r10); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r3, lo8, r11); r11 = Avx512F.PermuteVar16x32x2(r3, hi8, r11); r3 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo8, r12); r12 = Avx512F.PermuteVar16x32x2(r4, hi8, r12); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r5, lo8, r13); r13 = Avx512F.PermuteVar16x32x2(r5, hi8, r13); r5 = t;
        t = Avx512F.PermuteVar16x32x2(r6, lo8, r14); r14 = Avx512F.PermuteVar16x32x2(r6, hi8, r14); r6 = t;
        t = Avx512F.PermuteVar16x32x2(r7, lo8, r15); r15 = Avx512F.PermuteVar16x32x2(r7, hi8, r15); r7 = t;
        // Stage 4: swap the off-diagonal 4x4 blocks of every 8x8 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo4, r4); r4 = Avx512F.PermuteVar16x32x2(r0, hi4, r4); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo4, r5); r5 = Avx512F.PermuteVar16x32x2(r1, hi4, r5); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo4, r6); r6 = Avx512F.PermuteVar16x32x2(r2, hi4, r6); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r3, lo4, r7); r7 = Avx512F.PermuteVar16x32x2(r3, hi4, r7); r3 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo4, r12); r12 = Avx512F.PermuteVar16x32x2(r8, hi4, r12); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r9, lo4, r13); r13 = Avx512F.PermuteVar16x32x2(r9, hi4, r13); r9 = t;
        t = Avx512F.PermuteVar16x32x2(r10, lo4, r14); r14 = Avx512F.PermuteVar16x32x2(r10, hi4, r14); r10 = t;
        t = Avx512F.PermuteVar16x32x2(r11, lo4, r15); r15 = Avx512F.PermuteVar16x32x2(r11, hi4, r15); r11 = t;
        // Stage 2: swap the off-diagonal 2x2 blocks of every 4x4 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo2, r2); r2 = Avx512F.PermuteVar16x32x2(r0, hi2, r2); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r1, lo2, r3); r3 = Avx512F.PermuteVar16x32x2(r1, hi2, r3); r1 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo2, r6); r6 = Avx512F.PermuteVar16x32x2(r4, hi2, r6); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r5, lo2, r7); r7 = Avx512F.PermuteVar16x32x2(r5, hi2, r7); r5 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo2, r10); r10 = Avx512F.PermuteVar16x32x2(r8, hi2, r10); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r9, lo2, r11); r11 = Avx512F.PermuteVar16x32x2(r9, hi2, r11); r9 = t;
        t = Avx512F.PermuteVar16x32x2(r12, lo2, r14); r14 = Avx512F.PermuteVar16x32x2(r12, hi2, r14); r12 = t;
        t = Avx512F.PermuteVar16x32x2(r13, lo2, r15); r15 = Avx512F.PermuteVar16x32x2(r13, hi2, r15); r13 = t;
        // Stage 1: swap the off-diagonal 1x1 blocks of every 2x2 block.
        t = Avx512F.PermuteVar16x32x2(r0, lo1, r1); r1 = Avx512F.PermuteVar16x32x2(r0, hi1, r1); r0 = t;
        t = Avx512F.PermuteVar16x32x2(r2, lo1, r3); r3 = Avx512F.PermuteVar16x32x2(r2, hi1, r3); r2 = t;
        t = Avx512F.PermuteVar16x32x2(r4, lo1, r5); r5 = Avx512F.PermuteVar16x32x2(r4, hi1, r5); r4 = t;
        t = Avx512F.PermuteVar16x32x2(r6, lo1, r7); r7 = Avx512F.PermuteVar16x32x2(r6, hi1, r7); r6 = t;
        t = Avx512F.PermuteVar16x32x2(r8, lo1, r9); r9 = Avx512F.PermuteVar16x32x2(r8, hi1, r9); r8 = t;
        t = Avx512F.PermuteVar16x32x2(r10, lo1, r11); r11 = Avx512F.PermuteVar16x32x2(r10, hi1, r11); r10 = t;
        t = Avx512F.PermuteVar16x32x2(r12, lo1, r13); r13 = Avx512F.PermuteVar16x32x2(r12, hi1, r13); r12 = t;
        t = Avx512F.PermuteVar16x32x2(r14, lo1, r15); r15 = Avx512F.PermuteVar16x32x2(r14, hi1, r15); r14 = t;
        (Vector512.Load(destination + 0 * destinationStride) + r0).Store(destination + 0 * destinationStride);
        (Vector512.Load(destination + 1 * destinationStride) + r1).Store(destination + 1 * destinationStride);
        (Vector512.Load(destination + 2 * destinationStride) + r2).Store(destination + 2 * destinationStride);
        (Vector512.Load(destination + 3 * destinationStride) + r3).Store(destination + 3 * destinationStride);
        (Vector512.Load(destination + 4 * destinationStride) + r4).Store(destination + 4 * destinationStride);
        (Vector512.Load(destination + 5 * destinationStride) + r5).Store(destination + 5 * destinationStride);
        (Vector512.Load(destination + 6 * destinationStride) + r6).Store(destination + 6 * destinationStride);
        (Vector512.Load(destination + 7 * destinationStride) + r7).Store(destination + 7 * destinationStride);
        (Vector512.Load(destination + 8 * destinationStride) + r8).Store(destination + 8 * destinationStride);
        (Vector512.Load(destination + 9 * destinationStride) + r9).Store(destination + 9 * destinationStride);
        (Vector512.Load(destination + 10 * destinationStride) + r10).Store(destination + 10 * destinationStride);
        (Vector512.Load(destination + 11 * destinationStride) + r11).Store(destination + 11 * destinationStride);
        (Vector512.Load(destination + 12 * destinationStride) + r12).Store(destination + 12 * destinationStride);
        (Vector512.Load(destination + 13 * destinationStride) + r13).Store(destination + 13 * destinationStride);
        (Vector512.Load(destination + 14 * destinationStride) + r14).Store(destination + 14 * destinationStride);
        (Vector512.Load(destination + 15 * destinationStride) + r15).Store(destination + 15 * destinationStride);
    }
}
