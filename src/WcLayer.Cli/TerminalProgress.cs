using System.Globalization;

namespace WcLayer.Cli;

/// <summary>
/// Draws a single, updating progress line on standard error (entries, MiB, MiB/s, the current name), at most ten
/// times a second so a layer of small files does not spend its time repainting.
/// </summary>
internal sealed class TerminalProgress : IProgress<LayerProgress>, IDisposable
{
    private const double MiB = 1024 * 1024;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly string _verb;
    private readonly int _width;
    private readonly TimeProvider _clock;
    private readonly long _started;
    private long _lastDraw;
    private LayerProgress _latest;
    private bool _drawn;

    /// <summary>Creates a progress line; tests pass their own clock.</summary>
    /// <param name="error">Where the line is drawn.</param>
    /// <param name="verb">What is being done ("importing").</param>
    /// <param name="width">The terminal's width in columns.</param>
    /// <param name="clock">The clock that paces the redraws.</param>
    internal TerminalProgress(TextWriter error, string verb, int width, TimeProvider clock)
    {
        _error = error;
        _verb = verb;
        _width = width;
        _clock = clock;
        _started = clock.GetTimestamp();
    }

    /// <summary>Returns a progress line for <paramref name="verb"/>, or <see langword="null"/> when standard error is not a terminal (nothing must be drawn into a log or a pipe).</summary>
    /// <param name="console">The standard streams.</param>
    /// <param name="verb">What is being done ("importing").</param>
    /// <returns>The progress sink, or <see langword="null"/>.</returns>
    public static TerminalProgress? For(CliConsole console, string verb) =>
        console.ErrorIsTerminal ? new TerminalProgress(console.Error, verb, TerminalWidth(), TimeProvider.System) : null;

    public void Report(LayerProgress value)
    {
        _latest = value;

        // The first report draws at once: a slow source must show that work has started.
        long now = _clock.GetTimestamp();
        if (!_drawn || _clock.GetElapsedTime(_lastDraw, now) >= RedrawInterval)
        {
            _lastDraw = now;
            Draw();
        }
    }

    /// <summary>Draws the final numbers and ends the line, so the next output starts on a fresh line.</summary>
    public void Dispose()
    {
        if (_drawn || _latest.Entries > 0)
        {
            Draw();
            TryWrite(_error.NewLine);
        }
    }

    private void Draw()
    {
        double seconds = Math.Max(_clock.GetElapsedTime(_started).TotalSeconds, 1e-3);
        double mebibytes = _latest.Bytes / MiB;
        string numbers = string.Create(
            CultureInfo.InvariantCulture,
            $"{_verb}: {_latest.Entries} entries, {mebibytes:F1} MiB, {mebibytes / seconds:F1} MiB/s ");
        int room = Math.Max(0, _width - 1 - numbers.Length);
        string line = numbers + Truncate(_latest.CurrentName ?? string.Empty, room);

        // \r returns to the start of the line; the padding erases what a longer previous line left behind.
        TryWrite("\r" + line.PadRight(_width - 1));
        _drawn = true;
    }

    // Progress is a courtesy: a terminal that went away must not fail the import it describes.
    private void TryWrite(string text)
    {
        try
        {
            _error.Write(text);
            _error.Flush();
        }
        catch (IOException)
        {
        }
    }

    // Keep the end of the name: the file name tells more than the top folders.
    private static string Truncate(string name, int room) =>
        name.Length <= room ? name : room <= 1 ? string.Empty : "…" + name[^(room - 1)..];

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth is > 20 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
