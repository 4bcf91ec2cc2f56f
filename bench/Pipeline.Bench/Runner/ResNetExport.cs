// Hands the pretrained ResNet-18 to the PyTorch reference (which has no ONNX reader): every state-dict
// tensor of the engine's imported network (torchvision names: conv1.weight, layer4.2.bn2.running_var, …) and
// the transformed input batches are written as .npy files (NumPy format 1.0, little-endian float32, C order)
// into one directory, named to the reference by the PIPELINE_RESNET18_DIR environment variable.
using System.Text;
using Pipeline.Bench.Workloads;
using Pipeline.Models.Pretrained;

namespace Pipeline.Bench.Runner;

/// <summary>Writes the ResNet-18 weights and inputs for reference.py.</summary>
internal static class ResNetExport
{
    /// <summary>The environment variable reference.py reads the directory from.</summary>
    public const string DirectoryVariable = "PIPELINE_RESNET18_DIR";

    /// <summary>Writes weights and the inputs of <paramref name="batches"/> into <paramref name="directory"/> (created).</summary>
    public static void Write(string directory, IEnumerable<int> batches)
    {
        Directory.CreateDirectory(directory);
        var workload = new ResNetWorkload(1);
        var backbone = workload.Encoder.Backbone;       // every tensor, including the frozen ones a checkpoint leaves out
        foreach (var (name, tensor) in backbone.NamedParameters().Concat(backbone.NamedBuffers()))
            WriteNpy(Path.Combine(directory, name + ".npy"), tensor.Data, tensor.ShapeArray());
        var transform = OnnxInputTransform.Import(PretrainedBackbones.ResNet18.Preprocessing.Locate());
        foreach (int batch in batches)
        {
            var pixels = ResNetWorkload.Pixels(batch, seed: 0);
            var prepared = new float[pixels.Length];
            transform.Apply(pixels.Data, prepared);
            WriteNpy(Path.Combine(directory, $"input_b{batch}.npy"), prepared, [batch, 3, ResNetWorkload.ImageSize, ResNetWorkload.ImageSize]);
        }
    }

    /// <summary>One float32 array in NumPy's .npy format, version 1.0.</summary>
    public static void WriteNpy(string path, ReadOnlySpan<float> data, int[] shape)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;                          // magic 6 + version 2 + length 2, header, '\n'
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
    }
}
