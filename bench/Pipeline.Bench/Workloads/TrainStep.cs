// The timed train step shared by every training configuration, matching the reference's
// `zero_grad(set_to_none) + forward + loss + backward + Adam(lr 1e-3)`. The forward/backward runs in a
// TensorScope, so every op result and intermediate gradient goes back to the buffer pool when the step
// ends; only parameters, their gradients and the Adam moments live across steps.
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Runs zero-grad, forward + loss, backward and an Adam update for one model.</summary>
internal sealed class TrainStep
{
    private readonly Module model;
    private readonly Adam optimizer;
    private readonly Func<Tensor> loss;

    /// <summary>Prepares Adam (lr 1e-3, default betas/eps, as torch.optim.Adam) over the model's parameters.</summary>
    public TrainStep(Module model, Func<Tensor> loss)
    {
        this.model = model;
        this.loss = loss;
        model.Train();
        optimizer = new Adam(model.Parameters(), new AdamOptions(LearningRate: 1e-3));
    }

    /// <summary>Optional hook timing the phases of a step (forward, backward, optimizer).</summary>
    public PhaseTimer? Phases { get; set; }

    /// <summary>One step; returns the loss value (read before the scope returns its buffer).</summary>
    public float Run()
    {
        optimizer.ZeroGrad();
        float value;
        using (var scope = new TensorScope())
        {
            Phases?.Begin("forward");
            var l = loss();
            value = l.Item();
            Phases?.Begin("backward");
            l.Backward();
            Phases?.End();
        }
        Phases?.Begin("adam");
        optimizer.Step();
        Phases?.End();
        return value;
    }

    /// <summary>The model being trained.</summary>
    public Module Model => model;
}
