// One recorded op on the define-by-run tape: its name (for error messages), the tensors it read, and
// the closure that turns the gradient of its output into gradients of those inputs.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Autograd;

/// <summary>A recorded operation: inputs and the backward rule written next to the op's forward.</summary>
public sealed class GradNode
{
    internal GradNode(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    /// <summary>Name of the op that produced the output (e.g. "matmul").</summary>
    public string Op { get; }

    /// <summary>The tensors the op read.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>Accumulates into each input's gradient given the output's gradient.</summary>
    internal Action<Tensor> Backward { get; }
}
