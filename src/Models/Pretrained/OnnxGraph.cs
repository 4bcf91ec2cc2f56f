// Read-only view of an ONNX model for weight import: nodes in graph order, who produces and who consumes
// each value, float initializers as arrays, and typed attribute access that names the node when
// something is missing. Parsing uses OnnxSharp's generated ONNX protobuf types (on Google.Protobuf); this
// file only adds the lookups an importer needs. Only float32 initializers (inline or raw little-endian
// bytes) are supported: external data and other dtypes are refused with the tensor's name.
using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace Pipeline.Models.Pretrained;

/// <summary>An ONNX graph indexed for pattern matching and weight extraction.</summary>
public sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);

    private OnnxGraph(ModelProto model, string source)
    {
        Model = model;
        Source = source;
        foreach (var t in model.Graph.Initializer) initializers[t.Name] = t;
        foreach (var node in model.Graph.Node)
        {
            foreach (var output in node.Output) producers[output] = node;
            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }
        }
    }

    /// <summary>The parsed model.</summary>
    public ModelProto Model { get; }

    /// <summary>Where the model was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>Nodes in graph (topological) order.</summary>
    public IReadOnlyList<NodeProto> Nodes => Model.Graph.Node;

    /// <summary>Parses the ONNX file at <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming it when it is not ONNX.</summary>
    public static OnnxGraph Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try { return FromBytes(File.ReadAllBytes(path), path); }
        catch (InvalidProtocolBufferException ex) { throw new InvalidDataException($"{path}: not an ONNX model ({ex.Message}).", ex); }
    }

    /// <summary>Parses ONNX bytes; <paramref name="source"/> names them in messages.</summary>
    public static OnnxGraph FromBytes(byte[] bytes, string source)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        if (model.Graph is null) throw new InvalidDataException($"{source}: the ONNX model has no graph.");
        return new OnnxGraph(model, source);
    }

    /// <summary>The graph's only non-initializer input: its name and static shape.</summary>
    public (string Name, int[] Shape) SingleInput()
    {
        var inputs = Model.Graph.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1) throw Error($"expected one graph input, found {inputs.Count}");
        var dims = inputs[0].Type?.TensorType?.Shape?.Dim;
        var shape = dims?.Select(d => d.DimValue > 0 ? (int)d.DimValue : -1).ToArray() ?? [];
        return (inputs[0].Name, shape);
    }

    /// <summary>The node computing <paramref name="value"/>, or null for graph inputs and initializers.</summary>
    public NodeProto? Producer(string value) => producers.GetValueOrDefault(value);

    /// <summary>Nodes reading <paramref name="value"/>, in graph order.</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>The single node reading <paramref name="value"/>, which must have type <paramref name="opType"/>.</summary>
    public NodeProto SingleConsumer(string value, string opType)
    {
        var readers = Consumers(value);
        if (readers.Count != 1 || readers[0].OpType != opType)
            throw Error($"value '{value}' should feed exactly one {opType} node, but feeds [{string.Join(", ", readers.Select(Describe))}]");
        return readers[0];
    }

    /// <summary>Whether <paramref name="name"/> is an initializer (a weight).</summary>
    public bool IsInitializer(string name) => initializers.ContainsKey(name);

    /// <summary>The float32 values and dimensions of initializer <paramref name="name"/>.</summary>
    public (float[] Values, int[] Shape) Initializer(string name)
    {
        if (!initializers.TryGetValue(name, out var t)) throw Error($"'{name}' is not an initializer (weights must be constants)");
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw Error($"initializer '{name}' has data type {t.DataType}; only float32 weights are supported");
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw Error($"initializer '{name}' keeps its data in an external file; only self-contained models are supported");
        var shape = t.Dims.Select(d => checked((int)d)).ToArray();
        long expected = shape.Aggregate(1L, (a, d) => a * d);
        float[] values;
        if (t.FloatData.Count > 0) values = [.. t.FloatData];
        else
        {
            var raw = t.RawData.Span;
            values = new float[raw.Length / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i, 4));
        }
        if (values.Length != expected)
            throw Error($"initializer '{name}' holds {values.Length} values for dims [{string.Join(", ", shape)}]");
        return (values, shape);
    }

    /// <summary>Integer-list attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/> when absent.</summary>
    public int[] Ints(NodeProto node, string name, int[]? fallback = null)
    {
        var a = node.Attribute.FirstOrDefault(x => x.Name == name);
        if (a is null) return fallback ?? throw Error($"{Describe(node)} has no attribute '{name}'");
        return a.Ints.Select(v => checked((int)v)).ToArray();
    }

    /// <summary>Integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(x => x.Name == name)?.I ?? fallback;

    /// <summary>Float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(x => x.Name == name)?.F ?? fallback;

    /// <summary>String attribute, or <paramref name="fallback"/> when absent.</summary>
    public string String(NodeProto node, string name, string fallback) => node.Attribute.FirstOrDefault(x => x.Name == name)?.S.ToStringUtf8() ?? fallback;

    /// <summary>"Conv 'Convolution249'" — how messages name a node.</summary>
    public static string Describe(NodeProto node) => $"{node.OpType} '{(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault())}'";

    /// <summary>An <see cref="InvalidDataException"/> naming this model.</summary>
    public InvalidDataException Error(string message) => new($"{Source}: {message}.");
}
