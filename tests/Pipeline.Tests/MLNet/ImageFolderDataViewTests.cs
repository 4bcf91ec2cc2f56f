// ML.NET interop: folder/listing IDataViews with LoadRawImageBytes, and agreement of ML.NET's own
// LoadImages → ResizeImages → ExtractPixels with our stages on a smooth image.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Pipeline.MLNet;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Tests.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Tests.MLNet;

public sealed class ImageFolderDataViewTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MLContext _ml = new(seed: 1);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Folder_view_lists_images_with_labels_and_raw_bytes()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "cats"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "dogs"));
        var a = _dir.File("cats/a.png", Png(Gradient(8, 8), 8, 8));
        var b = _dir.File("dogs/b.jpg", Jpeg(Gradient(8, 8), 8, 8));
        _dir.File("dogs/readme.txt", "x"u8.ToArray());

        var view = ImageFolderDataView.FromFolder(_ml, _dir.Path);
        Assert.Equal([a, b], ImageFolderDataView.Paths(view));
        Assert.Equal(["cats", "dogs"], view.GetColumn<string>(ImageFolderDataView.LabelColumn).ToArray());

        var withBytes = ImageFolderDataView.WithRawBytes(_ml, view);
        var bytes = withBytes.GetColumn<VBuffer<byte>>(ImageFolderDataView.BytesColumn).Select(v => v.DenseValues().ToArray()).ToList();
        Assert.Equal(File.ReadAllBytes(a), bytes[0]);
        Assert.Equal(File.ReadAllBytes(b), bytes[1]);
    }

    [Fact]
    public void Listing_view_resolves_relative_paths()
    {
        _dir.File("x.png", Png(Gradient(8, 8), 8, 8));
        _dir.File("y.png", Png(Quadrants(8, 8), 8, 8));
        var listing = _dir.File("list.tsv", "path\tcaption\nx.png\ta gradient\ny.png\tfour squares\n"u8.ToArray());
        var view = ImageFolderDataView.FromListing(_ml, listing);
        Assert.Equal(["x.png", "y.png"], ImageFolderDataView.Paths(view));
        Assert.Equal(["a gradient", "four squares"], view.GetColumn<string>(ImageFolderDataView.LabelColumn).ToArray());
        var withBytes = ImageFolderDataView.WithRawBytes(_ml, view, _dir.Path);
        Assert.Equal(2, withBytes.GetColumn<VBuffer<byte>>(ImageFolderDataView.BytesColumn).Count());
    }

    [Fact]
    public void MlNet_resize_and_extract_agree_with_our_stages()
    {
        const int size = 24;
        var path = _dir.File("grad.png", Png(Gradient(64, 48), 64, 48));
        var view = ImageFolderDataView.FromFolder(_ml, _dir.Path);
        var pipeline = _ml.Transforms.LoadImages("Image", null, ImageFolderDataView.PathColumn)
            .Append(_ml.Transforms.ResizeImages("Resized", size, size, "Image", ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(_ml.Transforms.ExtractPixels("Pixels", "Resized", interleavePixelColors: false, scaleImage: 1f / 255f));
        var theirs = pipeline.Fit(view).Transform(view).GetColumn<VBuffer<float>>("Pixels").Single().DenseValues().ToArray();

        var ours = new ImagePipeline(ImagePreprocessingOptions.Eval(size) with { Mean = ChannelStats.Zero, Std = ChannelStats.One }).Process(path);
        Assert.Equal(ours.Length, theirs.Length);
        double meanAbs = ours.Zip(theirs, (o, t) => Math.Abs(o - t)).Average();
        // Different resampling filters: allow small average and moderate worst-case differences.
        Assert.True(meanAbs < 0.03, $"mean |ours - ML.NET| = {meanAbs:F4}");
        Assert.True(ours.Zip(theirs, (o, t) => Math.Abs(o - t)).Max() < 0.15);
    }
}
