// ML.NET entry point for classification text: the examples our own readers loaded (every malformed line
// already reported with its file and line) as an IDataView with Text and Label columns, the shape ML.NET's
// text featurizers and multiclass trainers expect. The ML.NET baseline trains and scores on these views.
using Microsoft.ML;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.MLNet;

/// <summary>Builds ML.NET <see cref="IDataView"/>s over classification examples.</summary>
public static class ClassificationDataView
{
    /// <summary>Name of the text column.</summary>
    public const string TextColumn = nameof(TextRow.Text);

    /// <summary>Name of the label column.</summary>
    public const string LabelColumn = nameof(TextRow.Label);

    /// <summary>Row type of the views: one example's text and label.</summary>
    public sealed class TextRow
    {
        /// <summary>The example's text.</summary>
        public string Text { get; set; } = "";

        /// <summary>The example's label.</summary>
        public string Label { get; set; } = "";
    }

    /// <summary>The dataset's examples as a view with <see cref="TextColumn"/> and <see cref="LabelColumn"/>.</summary>
    public static IDataView FromDataset(MLContext context, ClassificationDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return FromExamples(context, dataset.Examples);
    }

    /// <summary>The examples, in order, as a view with <see cref="TextColumn"/> and <see cref="LabelColumn"/>.</summary>
    public static IDataView FromExamples(MLContext context, IEnumerable<ClassificationExample> examples)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(examples);
        return context.Data.LoadFromEnumerable(examples.Select(e => new TextRow { Text = e.Text, Label = e.Label }));
    }
}
