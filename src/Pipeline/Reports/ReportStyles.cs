// The reports' stylesheet, inlined into every page so the HTML needs no other file. System font
// stacks only (no web fonts: they would be an external resource).
namespace Pipeline.Reports;

/// <summary>Inline CSS of the HTML reports.</summary>
internal static class ReportStyles
{
    public const string Css = """
        :root { --ink: #1f2933; --muted: #5b6470; --line: #e3e7ec; --soft: #f5f7fa; --accent: #1f6fb4; --good: #2a9d5c; --bad: #c43c4a; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #eef1f5; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        header { background: #17324d; color: #fff; padding: 28px 40px 22px; }
        header h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
        header .subtitle { margin: 0; color: #c9d6e3; font-size: 14px; }
        header .notes { margin: 10px 0 0; color: #e4ecf4; font-size: 14px; max-width: 900px; }
        main { max-width: 1200px; margin: 0 auto; padding: 24px 24px 8px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px 22px; margin: 0 0 22px; box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
        h2 { margin: 0 0 12px; font-size: 19px; font-weight: 650; }
        h3 { margin: 18px 0 10px; font-size: 16px; font-weight: 600; }
        .lead { margin: -4px 0 14px; color: var(--muted); font-size: 14px; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 14px; min-width: 50%; }
        th, td { padding: 7px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { background: var(--soft); font-weight: 600; color: #38424d; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tbody tr:hover { background: #fafbfc; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        .charts figure { margin: 0; }
        .charts figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
        .charts img, .heatmap img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
        .split { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        .split > div { flex: 1 1 420px; min-width: 0; }
        .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; }
        .card { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
        .card img, .card .missing { display: block; width: 100%; height: 190px; object-fit: cover; background: var(--soft); }
        .card .missing { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 13px; }
        .card .body { padding: 10px 12px 12px; font-size: 13.5px; }
        .card .id { color: var(--muted); font-size: 12px; display: flex; justify-content: space-between; }
        .card .generated { margin: 6px 0 8px; font-weight: 600; font-size: 14.5px; }
        .card ol { margin: 0; padding-left: 18px; color: #3e4852; }
        .score { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #e7f0f9; color: var(--accent); }
        .score.low { background: #fbe9eb; color: var(--bad); }
        .attention { margin: 0 0 18px; }
        .attention .caption { font-size: 14px; margin: 0 0 8px; }
        .strip { display: flex; flex-wrap: wrap; gap: 8px; }
        .strip figure { margin: 0; text-align: center; }
        .strip img { display: block; border-radius: 4px; }
        .strip figcaption { font-size: 13px; margin-top: 3px; font-weight: 600; }
        details { border-top: 1px solid var(--line); padding-top: 10px; margin-top: 10px; }
        details > summary { cursor: pointer; font-size: 16px; font-weight: 600; margin-bottom: 10px; }
        .tag { font-size: 12px; color: var(--muted); font-weight: 400; }
        .pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12.5px; background: var(--soft); border: 1px solid var(--line); }
        .pill.true { background: #e8f5ee; border-color: #bfe3cf; }
        .pill.pred { background: #fbe9eb; border-color: #f0c3c8; }
        td.text { max-width: 560px; }
        .empty { color: var(--muted); font-style: italic; }
        footer { text-align: center; color: var(--muted); font-size: 12.5px; padding: 6px 0 26px; }
        """;
}
