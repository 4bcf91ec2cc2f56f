// The SIMD backward loops of relu/tanh/sigmoid against their scalar formulas at lengths around the
// vector width (0, 1, 7, 13, 129 ...), so both the vector body and the scalar tail are exercised.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Tensors;

public class ElementwiseGradTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 7, 8, 13, 16, 31, 64, 129, 1000 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void VectorLoopsMatchScalarFormulas(int length)
    {
        var gen = new Generator((ulong)length + 1);
        var g = new float[length]; var y = new float[length]; var start = new float[length];
        for (int i = 0; i < length; i++) { g[i] = gen.NextNormal(); y[i] = gen.NextFloat() * 2 - 1; start[i] = gen.NextNormal(); }
        if (length > 3) y[3] = 0f;                                            // relu boundary: no gradient at exactly 0

        var relu = (float[])start.Clone(); ElementwiseGrad.AccumulateRelu(g, y, relu);
        var tanh = (float[])start.Clone(); ElementwiseGrad.AccumulateTanh(g, y, tanh);
        var sigmoid = (float[])start.Clone(); ElementwiseGrad.AccumulateSigmoid(g, y, sigmoid);
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(start[i] + (y[i] > 0 ? g[i] : 0f), relu[i], 6);
            Assert.Equal(start[i] + g[i] * (1 - y[i] * y[i]), tanh[i], 5);
            Assert.Equal(start[i] + g[i] * y[i] * (1 - y[i]), sigmoid[i], 5);
        }
    }

    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => ElementwiseGrad.AccumulateRelu(new float[3], new float[4], new float[3]));
    }
}
