// Lookup table: row ids[i] of the weight becomes output vector i. The lookup is one fused op whose
// backward scatter-adds each output gradient row into the weight row it came from, skipping the
// padding index (whose row stays 0 and never learns, as in PyTorch's padding_idx).
// Shapes: ids (...) with V = vocabulary size, D = embedding dimension; weight (V, D); output (..., D).
// Default init: N(0, 1), like PyTorch.
using Pipeline.Models.Init;
using System.Numerics.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>
    /// Rows of <paramref name="weight"/> (V, D) at <paramref name="ids"/>, shaped <paramref name="idShape"/> + (D).
    /// Rows equal to <paramref name="paddingIndex"/> receive no gradient.
    /// </summary>
    public static Tensor Embedding(ReadOnlySpan<int> ids, int[] idShape, Tensor weight, int? paddingIndex = null)
    {
        if (weight.Rank != 2) throw new ShapeMismatchException("embedding", $"weight must be (V, D), got {TensorShape.Format(weight.Shape)}");
        if (TensorShape.Numel(idShape) != ids.Length)
            throw new ShapeMismatchException("embedding", $"{ids.Length} ids do not fill id shape {TensorShape.Format(idShape)}");
        int vocab = weight.Shape[0], dim = weight.Shape[1];
        var rows = ids.ToArray();
        for (int i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)vocab)
                throw new IndexOutOfRangeException($"embedding: id {rows[i]} at position {i} is outside the vocabulary of {vocab}.");
        var outShape = new int[idShape.Length + 1];
        idShape.CopyTo(outShape, 0);
        outShape[^1] = dim;
        var y = Tensor.Uninitialized(outShape);                                 // (..., D)
        var w = weight.Data; var yd = y.Data;
        for (int i = 0; i < rows.Length; i++) w.Slice(rows[i] * dim, dim).CopyTo(yd.Slice(i * dim, dim));
        int padding = paddingIndex ?? -1;
        return y.Record("embedding", [weight], g =>
        {
            var gw = weight.GradBuffer(); var gd = g.Data;
            for (int i = 0; i < rows.Length; i++)
            {
                if (rows[i] == padding) continue;
                var dst = gw.Slice(rows[i] * dim, dim);
                TensorPrimitives.Add(dst, gd.Slice(i * dim, dim), dst);
            }
        });
    }
}

/// <summary>Embedding table (V, D) with optional padding index and freezing.</summary>
public sealed class Embedding : Module
{
    /// <summary>The table (V, D).</summary>
    public Tensor Weight { get; }

    /// <summary>Vocabulary size V.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Vector size D.</summary>
    public int EmbeddingDim { get; }

    /// <summary>Id whose row is zero and gets no gradient, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>True when the table is excluded from training.</summary>
    public bool IsFrozen => !Weight.RequiresGrad;

    /// <summary>Creates a table with N(0, 1) rows (the padding row zeroed).</summary>
    public Embedding(int numEmbeddings, int embeddingDim, Generator generator, int? paddingIndex = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        if (paddingIndex is { } p && (uint)p >= (uint)numEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"embedding: padding index {p} is outside the vocabulary of {numEmbeddings}.");
        NumEmbeddings = numEmbeddings; EmbeddingDim = embeddingDim; PaddingIndex = paddingIndex;
        Weight = RegisterParameter("weight", Initializers.StandardNormal(generator, [numEmbeddings, embeddingDim]));
        ZeroPaddingRow();
    }

    private void ZeroPaddingRow()
    {
        if (PaddingIndex is { } p) Weight.Data.Slice(p * EmbeddingDim, EmbeddingDim).Clear();
    }

    /// <summary>Looks up <paramref name="ids"/> laid out as <paramref name="idShape"/>; returns (idShape..., D).</summary>
    public Tensor Forward(ReadOnlySpan<int> ids, int[] idShape) => Functional.Embedding(ids, idShape, Weight, PaddingIndex);

    /// <summary>Looks up a flat id sequence; returns (N, D).</summary>
    public Tensor Forward(int[] ids) => Functional.Embedding(ids, [ids.Length], Weight, PaddingIndex);

    /// <summary>Stops (or resumes) training of the table.</summary>
    public Embedding Freeze(bool frozen = true)
    {
        Weight.RequiresGrad = !frozen;
        if (frozen) Weight.Grad = null;
        return this;
    }

    /// <summary>Copies pre-trained vectors (V, D) into the table; the shape must match exactly.</summary>
    public void LoadPretrained(float[,] vectors)
    {
        if (vectors.GetLength(0) != NumEmbeddings || vectors.GetLength(1) != EmbeddingDim)
            throw new ShapeMismatchException("embedding.load_pretrained", $"vectors are ({vectors.GetLength(0)}, {vectors.GetLength(1)}), table is ({NumEmbeddings}, {EmbeddingDim})");
        var w = Weight.Data;
        for (int v = 0; v < NumEmbeddings; v++)
            for (int d = 0; d < EmbeddingDim; d++) w[v * EmbeddingDim + d] = vectors[v, d];
    }

    /// <summary>Copies pre-trained vectors (V, D) into the table; the shape must match exactly.</summary>
    public void LoadPretrained(Tensor vectors)
    {
        if (!TensorShape.SameShape(vectors.Shape, Weight.Shape))
            throw new ShapeMismatchException("embedding.load_pretrained", $"vectors are {TensorShape.Format(vectors.Shape)}, table is {TensorShape.Format(Weight.Shape)}");
        vectors.Data.CopyTo(Weight.Data);
    }
}
