// Checks of the negative-sampling step (Mikolov et al. 2013, eq. 4): the SIMD step against a scalar
// reference written straight from the formula, the sigmoid table against MathF.Exp, and that repeated steps
// lower the pair's loss.
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class NegativeSamplingTests
{
    [Fact]
    public void SigmoidTableIsCloseToTheExactFunctionAndSaturates()
    {
        for (var x = -8f; x <= 8f; x += 0.01f)
        {
            var exact = 1f / (1f + MathF.Exp(-x));
            // Bin width 12/1024 times the maximal slope 1/4 ≈ 0.003, and σ(6) is 0.0025 from the clamp.
            Assert.True(MathF.Abs(NegativeSampling.Sigmoid(x) - exact) < 0.003f, $"x = {x}");
        }
        Assert.Equal(1f, NegativeSampling.Sigmoid(100f));
        Assert.Equal(0f, NegativeSampling.Sigmoid(-100f));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(13)]
    [InlineData(100)]
    [InlineData(129)]
    public void StepMatchesTheScalarReference(int dimensions)
    {
        const int words = 6;
        const int target = 2;
        var noise = new NoiseDistribution([10, 8, 6, 4, 2, 1]);
        var init = new Generator(5);
        var hidden = Enumerable.Range(0, dimensions).Select(_ => init.NextNormal() * 0.3f).ToArray();
        var output = Enumerable.Range(0, words * dimensions).Select(_ => init.NextNormal() * 0.3f).ToArray();
        var expectedOutput = (float[])output.Clone();
        var expectedGradient = new float[dimensions];
        var gradient = new float[dimensions];

        NegativeSampling.Step(hidden, output, target, noise, 4, new Generator(9), 0.1f, gradient);
        ReferenceStep(hidden, expectedOutput, target, noise, 4, new Generator(9), 0.1f, expectedGradient);

        // Same maths in a different summation order (SIMD vs scalar): float rounding only.
        for (var i = 0; i < output.Length; i++)
            Assert.Equal(expectedOutput[i], output[i], 1e-5f);
        for (var i = 0; i < dimensions; i++)
            Assert.Equal(expectedGradient[i], gradient[i], 1e-5f);
    }

    [Fact]
    public void RepeatedStepsLowerThePairLoss()
    {
        const int dimensions = 10;
        var noise = new NoiseDistribution([5, 5, 5, 5, 5]);
        var init = new Generator(3);
        var hidden = Enumerable.Range(0, dimensions).Select(_ => init.NextNormal() * 0.1f).ToArray();
        var output = new float[5 * dimensions];
        var generator = new Generator(4);
        float first = 0, last = 0;
        for (var step = 0; step < 200; step++)
        {
            var gradient = new float[dimensions];
            var loss = NegativeSampling.Step(hidden, output, 0, noise, 3, generator, 0.1f, gradient, computeLoss: true);
            for (var i = 0; i < dimensions; i++)
                hidden[i] += gradient[i];
            if (step == 0)
                first = loss;
            last = loss;
        }
        Assert.True(last < 0.2f * first, $"loss went from {first} to {last}");
    }

    // Scalar reference written from the formula: g = (label − σ(v'·h))·α; gradient += g·v' (old v'), then
    // v' += g·h. It uses the same table sigmoid so the comparison isolates the vector loops; the table itself
    // is checked against MathF.Exp above.
    private static void ReferenceStep(float[] hidden, float[] output, int target, NoiseDistribution noise, int negatives,
        Generator generator, float learningRate, float[] gradient)
    {
        var dimensions = hidden.Length;
        for (var d = 0; d <= negatives; d++)
        {
            var word = d == 0 ? target : noise.Sample(generator);
            if (d > 0 && word == target)
                continue;
            var label = d == 0 ? 1f : 0f;
            double score = 0;
            for (var i = 0; i < dimensions; i++)
                score += hidden[i] * output[word * dimensions + i];
            var g = (label - NegativeSampling.Sigmoid((float)score)) * learningRate;
            for (var i = 0; i < dimensions; i++)
            {
                gradient[i] += g * output[word * dimensions + i];
                output[word * dimensions + i] += g * hidden[i];
            }
        }
    }
}
