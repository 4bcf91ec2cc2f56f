// Reverse-mode sweep: order the recorded graph topologically from the output, seed its gradient,
// then call each node's backward in reverse order. Gradients of intermediate tensors are transient
// (freed as soon as their node has run) unless RetainGrad is set; leaves accumulate across calls.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Autograd;

internal static class Backpropagation
{
    public static void Run(Tensor root, Tensor? seed, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("backward: the tensor does not require grad (no input of its graph has RequiresGrad set, or it was computed under NoGrad).");
        if (seed is null && root.Length != 1)
            throw new InvalidOperationException($"backward: implicit gradient needs a one-element output, got shape {TensorShape.Format(root.Shape)}; pass the output gradient explicitly.");
        if (seed is not null && !TensorShape.SameShape(seed.Shape, root.Shape))
            throw new ShapeMismatchException("backward", $"gradient shape {TensorShape.Format(seed.Shape)} does not match output shape {TensorShape.Format(root.Shape)}");

        var order = TopologicalOrder(root);
        var rootGrad = root.GradBuffer();
        if (seed is null) rootGrad[0] += 1f;
        else for (int i = 0; i < rootGrad.Length; i++) rootGrad[i] += seed.Data[i];

        using var noGrad = GradMode.NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.GradFn!;
            if (t.Grad is null) continue; // no path from the root reached it
            node.Backward(t.Grad);
            if (GradMode.DetectAnomaly) Anomaly.CheckBackward(node);
            if (!t.RetainGrad) { t.Grad.Dispose(); t.Grad = null; }
            if (!retainGraph) t.GradFn = null;
        }
    }

    /// <summary>Non-leaf tensors reachable from <paramref name="root"/>, each after all of its inputs.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        if (root.GradFn is null) return order;
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        // Iterative DFS: deep recurrent graphs (hundreds of timesteps) would overflow a recursive one.
        var stack = new Stack<(Tensor Tensor, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.GradFn is not null && child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(t);
        }
        return order;
    }
}
