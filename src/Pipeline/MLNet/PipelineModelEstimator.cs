// The IEstimator side of the Pipeline ML.NET components: Fit and GetOutputSchema check the input column
// (exists, is text) and Fit validates the model directory (header-only, ModelDirectoryValidator) — all
// before any row is read — then fit the inner chain of trivial ML.NET estimators. No weights are loaded
// here; the model loads on the first row actually transformed.
using Microsoft.ML;

namespace Pipeline.MLNet;

/// <summary>Base of the estimators created by <see cref="PipelineTransforms"/>.</summary>
/// <typeparam name="TTransformer">The transformer Fit returns.</typeparam>
public abstract class PipelineModelEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : PipelineModelTransformer
{
    // Inner estimators need an environment; the catalog's is not public, and these trivial transforms
    // neither train nor log, so a private context is equivalent.
    private protected static readonly MLContext InnerContext = new(seed: 0);

    private protected PipelineModelEstimator(string component, string modelDirectory, string inputColumnName, string inputMeaning)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        Component = component;
        ModelDirectory = Path.GetFullPath(modelDirectory);
        InputColumnName = inputColumnName;
        InputMeaning = inputMeaning;
    }

    /// <summary>The component's name in messages.</summary>
    public string Component { get; }

    /// <summary>Absolute path of the model directory (stored in the saved model).</summary>
    public string ModelDirectory { get; }

    /// <summary>The text column read by the component.</summary>
    public string InputColumnName { get; }

    private protected string InputMeaning { get; }

    /// <summary>Checks the input column and the model directory, then returns the (lazy) transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or not text.</exception>
    /// <exception cref="ModelFiles.ModelDirectoryException">The model directory is incomplete or inconsistent.</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        InputColumn.Require(Component, input.Schema, InputColumnName, InputMeaning);
        ValidateModelDirectory();
        return CreateTransformer(BuildInner().Fit(input));
    }

    /// <summary>The input schema plus the output columns; throws when the input column is missing or not text.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        InputColumn.Require(Component, inputSchema, InputColumnName, InputMeaning);
        return BuildInner().GetOutputSchema(inputSchema);
    }

    /// <summary>The chain: settings column → copy input → mapping → copy outputs → drop temporaries.</summary>
    private protected abstract IEstimator<ITransformer> BuildInner();

    private protected abstract void ValidateModelDirectory();

    private protected abstract TTransformer CreateTransformer(ITransformer inner);

    private protected IEstimator<ITransformer> Settings(ModelSettings settings) =>
        InnerContext.Transforms.Expression(ModelSettings.Column, settings.ToExpression(), InputColumnName);
}
