// Stateless forms of the layers: every module's Forward delegates to a static method here, taking its
// parameters as arguments (TorchSharp/PyTorch's torch.nn.functional). The class is partial and each
// method is defined in its layer's own file (Functional.Conv2d in Conv2d.cs, Functional.BatchNorm in
// BatchNorm.cs, ...), so a layer's forward, backward and module stay together.
namespace Pipeline.Models.Nn;

/// <summary>Layer operations as pure functions of tensors; the modules wrap these with their parameters.</summary>
public static partial class Functional;
