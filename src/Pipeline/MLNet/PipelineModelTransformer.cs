// The ITransformer of the Pipeline ML.NET components. It wraps a chain of ML.NET's own saveable
// transformers — the settings column (see ModelSettings), a copy of the input column to the mapping's
// fixed input name, the CustomMapping that runs the model, copies to the requested output names and a
// drop of the temporary columns — and delegates to it. Saving writes that chain, so a saved model needs
// nothing of this type to load: only the CustomMapping factories, found after
// PipelineTransforms.Register(mlContext). Row-to-row, so prediction engines work.
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Pipeline.MLNet;

/// <summary>Base of the transformers produced by <see cref="PipelineTransforms"/> estimators.</summary>
public abstract class PipelineModelTransformer : ITransformer
{
    private readonly ITransformer inner;

    private protected PipelineModelTransformer(ITransformer inner, string component, string inputColumnName, string inputMeaning, string modelDirectory)
    {
        this.inner = inner;
        Component = component;
        InputColumnName = inputColumnName;
        InputMeaning = inputMeaning;
        ModelDirectory = modelDirectory;
    }

    /// <summary>The component's name in messages (CaptionImages, ClassifyText).</summary>
    public string Component { get; }

    /// <summary>The text column read by the component.</summary>
    public string InputColumnName { get; }

    /// <summary>Absolute path of the model directory.</summary>
    public string ModelDirectory { get; }

    private string InputMeaning { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        InputColumn.Require(Component, inputSchema, InputColumnName, InputMeaning);
        return inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        InputColumn.Require(Component, inputSchema, InputColumnName, InputMeaning);
        return inner.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Lazily adds the output columns; the model runs as rows are read.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        InputColumn.Require(Component, input.Schema, InputColumnName, InputMeaning);
        return inner.Transform(input);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => inner.Save(ctx);
}
