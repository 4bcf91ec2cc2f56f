// Optimizers (SGD, Adam, AdamW, Adadelta) against naive references written from the published update rules (double precision,
// scalar loops), convergence on a quadratic bowl, exact state save/restore and allocation-free steps.
// Tolerances: the engine runs in float32 with fused multiply-adds, the references in double; after a
// few steps of O(1) values the drift stays near 1e-6, so atol 1e-5 + rtol 1e-5 leaves margin.
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Optim;

public class OptimizerTests
{
    private const int Steps = 5;

    // Fixed parameter values and a different gradient for every step (drawn once from a seed).
    private static (Tensor Param, float[][] Grads) Setup(int length = 13, ulong seed = 3)
    {
        var g = new Generator(seed);
        var p = Tensor.Randn(g, [length]).WithGrad();
        var grads = Enumerable.Range(0, Steps).Select(_ => Tensor.Randn(g, [length]).ToArray()).ToArray();
        return (p, grads);
    }

    private static void RunSteps(Optimizer optimizer, Tensor p, float[][] grads, Action<int, float[]> afterStep)
    {
        for (int s = 0; s < grads.Length; s++)
        {
            p.Grad = Tensor.FromArray(grads[s], p.Length);
            optimizer.Step();
            afterStep(s, p.ToArray());
        }
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 0.0, false)]
    [InlineData(0.9, 0.05, false)]
    [InlineData(0.8, 0.05, true)]
    public void SgdMatchesReference(double momentum, double weightDecay, bool nesterov)
    {
        var (p, grads) = Setup();
        const double lr = 0.1;
        double[] x = p.ToArray().Select(v => (double)v).ToArray();
        double[] buffer = new double[x.Length];
        var sgd = new Sgd([p], new SgdOptions(lr, momentum, weightDecay, nesterov));
        RunSteps(sgd, p, grads, (step, actual) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                double g = grads[step][i] + weightDecay * x[i];
                if (momentum != 0)
                {
                    buffer[i] = step == 0 ? g : momentum * buffer[i] + g;
                    g = nesterov ? g + momentum * buffer[i] : buffer[i];
                }
                x[i] -= lr * g;
            }
            GradCheck.AssertClose(x.Select(v => (float)v).ToArray(), actual, 1e-5f, 1e-5f);
        });
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void AdamAndAdamWMatchReference(bool decoupled, double weightDecay)
    {
        var (p, grads) = Setup();
        var options = new AdamOptions(LearningRate: 0.01, Beta1: 0.9, Beta2: 0.99, Epsilon: 1e-8, WeightDecay: weightDecay);
        Optimizer adam = decoupled ? new AdamW([p], options) : new Adam([p], options);
        double[] x = p.ToArray().Select(v => (double)v).ToArray();
        double[] m = new double[x.Length], v = new double[x.Length];
        RunSteps(adam, p, grads, (step, actual) =>
        {
            int t = step + 1;
            for (int i = 0; i < x.Length; i++)
            {
                double g = grads[step][i];
                if (decoupled) x[i] *= 1 - options.LearningRate * weightDecay;
                else g += weightDecay * x[i];
                m[i] = options.Beta1 * m[i] + (1 - options.Beta1) * g;
                v[i] = options.Beta2 * v[i] + (1 - options.Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(options.Beta1, t));
                double vHat = v[i] / (1 - Math.Pow(options.Beta2, t));
                x[i] -= options.LearningRate * mHat / (Math.Sqrt(vHat) + options.Epsilon);
            }
            GradCheck.AssertClose(x.Select(z => (float)z).ToArray(), actual, 1e-5f, 1e-5f);
        });
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void AdadeltaMatchesReference(double weightDecay)
    {
        var (p, grads) = Setup();
        var options = new AdadeltaOptions(LearningRate: 0.5, Rho: 0.9, Epsilon: 1e-6, WeightDecay: weightDecay);
        var adadelta = new Adadelta([p], options);
        double[] x = p.ToArray().Select(v => (double)v).ToArray();
        double[] square = new double[x.Length], accumulated = new double[x.Length];
        RunSteps(adadelta, p, grads, (step, actual) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                double g = grads[step][i] + weightDecay * x[i];
                square[i] = options.Rho * square[i] + (1 - options.Rho) * g * g;
                double delta = Math.Sqrt(accumulated[i] + options.Epsilon) / Math.Sqrt(square[i] + options.Epsilon) * g;
                accumulated[i] = options.Rho * accumulated[i] + (1 - options.Rho) * delta * delta;
                x[i] -= options.LearningRate * delta;
            }
            GradCheck.AssertClose(x.Select(z => (float)z).ToArray(), actual, 1e-5f, 1e-5f);
        });
    }

    public static TheoryData<string> OptimizerNames => new() { "sgd", "nesterov", "adam", "adamw", "adadelta" };

    private static Optimizer Make(string name, Tensor p) => name switch
    {
        "sgd" => new Sgd([p], new SgdOptions(0.05, Momentum: 0.9)),
        "nesterov" => new Sgd([p], new SgdOptions(0.05, Momentum: 0.9, Nesterov: true)),
        "adam" => new Adam([p], new AdamOptions(0.05)),
        "adadelta" => new Adadelta([p], new AdadeltaOptions(Epsilon: 1e-4)),
        _ => new AdamW([p], new AdamOptions(0.05, WeightDecay: 1e-4)),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void ConvergesOnQuadratic(string name)
    {
        // f(x) = Σ a_i (x_i − c_i)², minimum at c (AdamW's tiny decay moves it by < 1e-3).
        var a = Tensor.FromArray([1f, 2f, 0.5f, 3f], 4);
        var c = Tensor.FromArray([1f, -2f, 0.5f, 3f], 4);
        var x = Tensor.Zeros(4).WithGrad();
        var optimizer = Make(name, x);
        for (int i = 0; i < 400; i++)
        {
            using var scope = new TensorScope();
            optimizer.ZeroGrad();
            var loss = Tensor.SumAll(a * Tensor.Square(x - c));
            loss.Backward();
            optimizer.Step();
        }
        GradCheck.AssertClose(c.ToArray(), x.ToArray(), 2e-3f, 0f);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void StateRoundTripResumesBitExactly(string name)
    {
        var (p1, grads) = Setup();
        var p2 = p1.Clone().WithGrad();
        var uninterrupted = Make(name, p1);
        RunSteps(uninterrupted, p1, grads, (_, _) => { });

        var first = Make(name, p2);
        RunSteps(first, p2, grads[..3], (_, _) => { });
        var saved = first.GetState();
        var p3 = p2.Clone().WithGrad();
        var resumed = Make(name, p3);
        resumed.LoadState(saved);
        Assert.Equal(3, resumed.StepCount);
        RunSteps(resumed, p3, grads[3..], (_, _) => { });
        Assert.Equal(p1.ToArray(), p3.ToArray());
    }

    [Fact]
    public void LoadStateRejectsMismatches()
    {
        var (p, grads) = Setup();
        var adam = new Adam([p], new AdamOptions());
        RunSteps(adam, p, grads[..1], (_, _) => { });
        var state = adam.GetState();

        var ex = Assert.Throws<InvalidDataException>(() => new Sgd([p], new SgdOptions(0.1)).LoadState(state));
        Assert.Contains("saved by Adam", ex.Message);

        var other = Tensor.Zeros(7).WithGrad();
        ex = Assert.Throws<InvalidDataException>(() => new Adam([other], new AdamOptions()).LoadState(state));
        Assert.Contains("0.0.exp_avg", ex.Message);
        Assert.Contains("[13]", ex.Message);

        var extra = new Dictionary<string, Tensor>(state.Tensors) { ["0.5.exp_avg"] = Tensor.Zeros(13) };
        ex = Assert.Throws<InvalidDataException>(() => new Adam([p], new AdamOptions()).LoadState(state with { Tensors = extra }));
        Assert.Contains("unexpected state tensor '0.5.exp_avg'", ex.Message);
    }

    [Fact]
    public void GroupsKeepTheirOwnRatesAndZeroGradClears()
    {
        var a = Tensor.Ones(2).WithGrad();
        var b = Tensor.Ones(2).WithGrad();
        var sgd = new Sgd([new ParameterGroup([a], 0.1), new ParameterGroup([b], 0.01)], new SgdOptions(0));
        a.Grad = Tensor.Ones(2); b.Grad = Tensor.Ones(2);
        sgd.Step();
        GradCheck.AssertClose([0.9f, 0.9f], a.ToArray(), 1e-7f, 0);
        GradCheck.AssertClose([0.99f, 0.99f], b.ToArray(), 1e-7f, 0);
        sgd.ZeroGrad();
        Assert.Equal([0f, 0f], a.Grad!.ToArray());
        sgd.LearningRate = 0.5;
        Assert.All(sgd.Groups, g => Assert.Equal(0.5, g.LearningRate));
        Assert.Throws<ArgumentException>(() => new Sgd([a, a], new SgdOptions(0.1)));
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void StepsAllocateNothingAfterTheFirst(string name)
    {
        var (p, grads) = Setup(length: 257);
        var q = Tensor.Randn(new Generator(1), [3, 5]).WithGrad();
        p.Grad = Tensor.FromArray(grads[0], p.Length);
        q.Grad = Tensor.Ones(3, 5);
        Optimizer optimizer = name switch
        {
            "sgd" => new Sgd([p, q], new SgdOptions(0.01, Momentum: 0.9, WeightDecay: 0.1)),
            "nesterov" => new Sgd([p, q], new SgdOptions(0.01, Momentum: 0.9, Nesterov: true)),
            "adam" => new Adam([p, q], new AdamOptions(0.01, WeightDecay: 0.1)),
            "adadelta" => new Adadelta([p, q], new AdadeltaOptions(WeightDecay: 0.1)),
            _ => new AdamW([p, q], new AdamOptions(0.01, WeightDecay: 0.1)),
        };
        for (int i = 0; i < 3; i++) optimizer.Step();   // creates state, JIT-compiles
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) optimizer.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkippedAndCountTheirOwnSteps()
    {
        var a = Tensor.Ones(1).WithGrad();
        var b = Tensor.Ones(1).WithGrad();
        var adam = new Adam([a, b], new AdamOptions(0.1));
        a.Grad = Tensor.Ones(1);
        adam.Step();
        Assert.Equal(1f, b.Item());   // no gradient yet: untouched
        b.Grad = Tensor.Ones(1);
        adam.Step();
        // b's own first update: m̂ = v̂ = 1 after bias correction, so it moves by η·1/(1 + ε) = 0.1.
        Assert.Equal(0.9f, b.Item(), 6);
        var state = adam.GetState();
        Assert.Equal(2, state.Counters["step"]);
        Assert.Equal(2, state.Counters["0.0.step"]);
        Assert.Equal(1, state.Counters["0.1.step"]);
    }
}
