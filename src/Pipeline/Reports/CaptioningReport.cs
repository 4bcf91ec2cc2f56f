// The captioning report page: corpus metric table, a gallery of the best and the
// worst images of the evaluated split by per-image CIDEr-D (generated caption against the references), per-word
// attention strips, a table of every image's caption with its references and scores, and the training curves. Photos are downscaled and embedded as JPEG so a report of many images stays small.
using System.Globalization;
using Pipeline.Evaluation.Captioning;
using SkiaSharp;

namespace Pipeline.Reports;

/// <summary>Builds the HTML of the captioning report.</summary>
public static class CaptioningReport
{
    private const int PhotoWidth = 520, JpegQuality = 85;

    /// <summary>The complete self-contained HTML document for <paramref name="data"/>.</summary>
    public static string RenderHtml(CaptioningReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(data.Metrics);
        var metrics = data.Metrics;
        var page = new HtmlPage(data.Title, $"Image captioning · {data.ModelName} · {metrics.ImageCount} images", data.Notes);

        page.Section("Metrics", "metrics", "Corpus scores in the COCO caption evaluation conventions (PTB-tokenized; METEOR-es is exact+stem METEOR).");
        var numeric = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 };
        page.Table(["Model", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR-es", "ROUGE-L", "CIDEr-D"],
            [[HtmlPage.Encode(data.ModelName), .. new[] { metrics.Bleu1, metrics.Bleu2, metrics.Bleu3, metrics.Bleu4, metrics.MeteorEs, metrics.RougeL, metrics.CiderD }.Select(v => HtmlPage.Number(v))]],
            numeric);
        var confidences = data.Examples.Where(e => e.Confidence is not null).Select(e => e.Confidence!.Value).Order().ToList();
        if (confidences.Count > 0)
        {
            int unsure = confidences.Count(c => c < Models.Captioning.FeatureDensity.UnsureBelow);
            page.Raw($"<p>In-domain confidence (how familiar each image looks to the encoder, calibrated on held-out training-domain images): " +
                $"median {HtmlPage.Number(confidences[confidences.Count / 2], 2)}; {unsure.ToString(CultureInfo.InvariantCulture)} of {confidences.Count.ToString(CultureInfo.InvariantCulture)} images " +
                $"below {HtmlPage.Number(Models.Captioning.FeatureDensity.UnsureBelow, 2)} are marked unsure.</p>");
        }
        page.EndSection();

        var examples = data.Examples.ToDictionary(e => e.ImageId, StringComparer.Ordinal);
        int count = Math.Max(0, data.GalleryCount);
        AppendGallery(page, "Best captions", "best", $"The {count} images with the highest CIDEr-D.", metrics.Best(count), examples, low: false);
        AppendGallery(page, "Worst captions", "worst", $"The {count} images with the lowest CIDEr-D.", metrics.Worst(count), examples, low: true);
        AppendAttention(page, data.Attention);
        AppendAllCaptions(page, metrics, examples);
        // Training curves last: the reader of an evaluation report comes for the outputs first.
        TrainingCurves.AppendSection(page, data.TrainingLog);
        return page.ToString();
    }

    private static void AppendGallery(HtmlPage page, string heading, string id, string lead, IReadOnlyList<ImageCaptionScores> scores,
        IReadOnlyDictionary<string, CaptionExample> examples, bool low)
    {
        page.Section(heading, id, lead).Raw("<div class=\"gallery\">\n");
        foreach (var score in scores)
        {
            examples.TryGetValue(score.ImageId, out var example);
            page.Raw("<div class=\"card\">").Raw(PhotoHtml(example?.ImagePath, score.ImageId)).Raw("<div class=\"body\">");
            page.Raw($"<div class=\"id\"><span>{HtmlPage.Encode(score.ImageId)}</span><span class=\"score{(low ? " low" : "")}\">CIDEr-D {HtmlPage.Number(score.CiderD, 3)}</span></div>");
            page.Raw($"<p class=\"generated\">{HtmlPage.Encode(example?.Generated ?? score.Candidate)}</p>");
            if (example?.Confidence is { } confidence)
                page.Raw($"<div class=\"id\"><span class=\"score{(confidence < Models.Captioning.FeatureDensity.UnsureBelow ? " low" : "")}\">confidence {HtmlPage.Number(confidence, 3)}" +
                         $"{(confidence < Models.Captioning.FeatureDensity.UnsureBelow ? " · unsure: unlike the training images" : "")}</span></div>");
            if (example is not null && example.References.Count > 0)
                page.Raw("<ol>" + string.Concat(example.References.Select(r => $"<li>{HtmlPage.Encode(r)}</li>")) + "</ol>");
            page.Raw($"<div class=\"id\" style=\"margin-top:8px\"><span>BLEU-4 {HtmlPage.Number(score.Bleu4, 3)} · METEOR-es {HtmlPage.Number(score.MeteorEs, 3)} · ROUGE-L {HtmlPage.Number(score.RougeL, 3)}</span></div>");
            page.Raw("</div></div>\n");
        }
        if (scores.Count == 0) page.Raw("<p class=\"empty\">No images.</p>");
        page.Raw("</div>").EndSection();
    }

    // Every test image, not only the gallery's extremes: the reader can search the page for an image or a word.
    private static void AppendAllCaptions(HtmlPage page, CaptionMetrics metrics, IReadOnlyDictionary<string, CaptionExample> examples)
    {
        if (metrics.PerImage.Length == 0) return;
        bool confidence = examples.Values.Any(e => e.Confidence is not null);
        page.Section("All captions", "captions", $"The generated caption of each of the {metrics.PerImage.Length} images with its references and per-image scores, by image id.");
        var headers = new List<string> { "Image", "Generated caption", "References", "CIDEr-D", "BLEU-4", "METEOR-es", "ROUGE-L" };
        if (confidence) headers.Add("Confidence");
        var rows = metrics.PerImage.Select(score =>
        {
            examples.TryGetValue(score.ImageId, out var example);
            var row = new List<string>
            {
                HtmlPage.Encode(score.ImageId),
                HtmlPage.Encode(example?.Generated ?? score.Candidate),
                example is null || example.References.Count == 0 ? "" : string.Join("<br>", example.References.Select(HtmlPage.Encode)),
                HtmlPage.Number(score.CiderD, 3), HtmlPage.Number(score.Bleu4, 3), HtmlPage.Number(score.MeteorEs, 3), HtmlPage.Number(score.RougeL, 3),
            };
            if (confidence) row.Add(example?.Confidence is { } c ? HtmlPage.Number(c, 3) : "–");
            return (IReadOnlyList<string>)row;
        });
        page.Table(headers, rows, Enumerable.Range(3, headers.Count - 3).ToHashSet(), "captions");
        page.EndSection();
    }

    private static void AppendAttention(HtmlPage page, IReadOnlyList<AttentionExample> attention)
    {
        if (attention.Count == 0) return;
        page.Section("Attention", "attention", "Where the decoder looked while generating each word: attention weights upsampled bilinearly over the image (red = most attended).");
        var options = new AttentionOverlayOptions(ThumbnailWidth: 112);
        foreach (var example in attention)
        {
            page.Raw("<div class=\"attention\">");
            page.Raw($"<p class=\"caption\"><strong>{HtmlPage.Encode(example.ImageId)}</strong> — {HtmlPage.Encode(string.Join(' ', example.Words))}</p>");
            // Drawn over the region the model saw (its centre crop), not stretched over the whole photo.
            SKBitmap? image = TryLoadSeen(example.ImagePath, example.View, (int)(options.ThumbnailWidth * Charts.ChartStyle.Scale));
            if (image is null)
            {
                page.Raw($"<p class=\"empty\">Image '{HtmlPage.Encode(example.ImagePath)}' could not be read.</p></div>");
                continue;
            }
            using (image)
            {
                var thumbnails = AttentionOverlay.RenderThumbnails(image, example.Words, example.Grids, example.GridHeight, example.GridWidth, options);
                page.Raw("<div class=\"strip\">");
                for (int i = 0; i < thumbnails.Count; i++)
                {
                    page.Raw("<figure>" + HtmlPage.Image(thumbnails[i], $"attention for '{example.Words[i]}'", options.ThumbnailWidth) +
                        $"<figcaption>{HtmlPage.Encode(example.Words[i])}</figcaption></figure>");
                }
                page.Raw("</div></div>\n");
            }
        }
        page.EndSection();
    }

    private static string PhotoHtml(string? path, string imageId)
    {
        using var image = path is null ? null : TryLoad(path);
        if (image is null) return $"<div class=\"missing\">image not available</div>";
        int width = Math.Min(PhotoWidth, image.Width);
        // Aspect ratio kept within 1:4..4:1 so an extreme image cannot blow up the page.
        int height = Math.Clamp((int)Math.Round((double)image.Height * width / image.Width), Math.Max(1, width / 4), width * 4);
        using var resized = image.Resize(new SKImageInfo(width, height), SKFilterQuality.High) ?? image.Copy();
        using var encoded = resized.Encode(SKEncodedImageFormat.Jpeg, JpegQuality);
        return $"<img src=\"{HtmlPage.DataUri(encoded.ToArray(), "image/jpeg")}\" alt=\"{HtmlPage.Encode(imageId)}\" width=\"{width.ToString(CultureInfo.InvariantCulture)}\" height=\"{height.ToString(CultureInfo.InvariantCulture)}\">";
    }

    // A report with one unreadable image is still useful, so a bad file degrades to a placeholder. Decoding goes through
    // the bounded decoder (regular files, pixel limit).
    private static SKBitmap? TryLoad(string path) => AttentionOverlay.TryLoadBitmap(path);

    private static SKBitmap? TryLoadSeen(string path, Preprocessing.Images.ImagePreprocessingOptions? view, int side)
    {
        try { return AttentionOverlay.LoadSeenRegion(path, view, side); }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException) { return null; }
    }
}
