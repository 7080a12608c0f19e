namespace WcLayer.Cli;

/// <summary>Keeps the last progress report (the totals, for <c>--json</c>) and passes each on to the terminal line, if any.</summary>
internal sealed class ProgressTally(IProgress<LayerProgress>? next) : IProgress<LayerProgress>
{
    /// <summary>The last report: entries and bytes so far.</summary>
    public LayerProgress Last { get; private set; }

    public void Report(LayerProgress value)
    {
        Last = value;
        next?.Report(value);
    }
}
