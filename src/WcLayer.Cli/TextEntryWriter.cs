using System.Globalization;
using System.Text;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>
/// The human-readable listing, one line per entry in fixed columns, like <c>tar -tv</c>:
/// type letter, attributes, size, last write time (UTC), name, then <c> -> target</c> for links and the alternate
/// data streams in brackets.
/// </summary>
internal sealed class TextEntryWriter : IEntryWriter
{
    /// <summary>The legend shown in the command help.</summary>
    public const string TypeLegend = "'-' file, d directory, l symbolic link, j junction, h hard link, w whiteout";

    private const int SizeWidth = 12;
    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";
    private static readonly int TimeWidth = DateTime.MinValue.ToString(TimeFormat, CultureInfo.InvariantCulture).Length;

    private readonly TextWriter _output;

    public TextEntryWriter(TextWriter output)
    {
        _output = output;
    }

    public void Write(ListedEntry entry) => _output.WriteLine(Format(entry));

    // The failure goes to standard error only: a text listing has no place for it.
    public void WriteError(string message)
    {
    }

    public static string Format(ListedEntry listed)
    {
        LayerTarEntry entry = listed.Entry;
        bool whiteout = entry.EntryType == LayerTarEntryType.Whiteout;
        var line = new StringBuilder();
        line.Append(EntryTypeNames.Letter(entry.EntryType)).Append(' ');
        line.Append(whiteout ? new string(' ', AttributeLetters.Width) : AttributeLetters.Format(entry.FileInfo.FileAttributes)).Append(' ');
        string size = entry.EntryType == LayerTarEntryType.File ? entry.Size.ToString(CultureInfo.InvariantCulture) : "-";
        line.Append(size.PadLeft(SizeWidth)).Append(' ');
        string time = whiteout ? string.Empty : entry.FileInfo.LastWriteTimeUtc?.ToString(TimeFormat, CultureInfo.InvariantCulture) ?? "-";
        line.Append(time.PadRight(TimeWidth)).Append(' ');
        line.Append(entry.Name);
        if (entry.LinkTarget is { } target)
        {
            line.Append(" -> ").Append(target);
        }

        if (listed.Streams.Count > 0)
        {
            line.Append("  [");
            for (int i = 0; i < listed.Streams.Count; i++)
            {
                AlternateStream stream = listed.Streams[i];
                line.Append(i == 0 ? ":" : ", :").Append(stream.Name).Append(' ').Append(stream.Size.ToString(CultureInfo.InvariantCulture));
            }

            line.Append(']');
        }

        return line.ToString();
    }
}
