using System.Text;

namespace WcLayer.Transport;

/// <summary>
/// <c>tombstones.txt</c> (spec 6.2): a UTF-8 BOM and <c>Version 1.0</c>, then one deleted path per line, relative to
/// <c>Files</c> with a leading <c>\</c>. Lines end in <c>\n</c> or <c>\r\n</c>; empty lines are skipped (B2).
/// </summary>
internal static class TombstoneFile
{
    private const string Header = "\uFEFFVersion 1.0";
    private const int MaxLineLength = 64 * 1024;

    /// <summary>Reads the tombstones as layer names (<c>Files\…</c>), in file order.</summary>
    /// <exception cref="InvalidDataException">The header is wrong or a line is not a relative path under Files.</exception>
    public static List<string> Read(Stream stream, string pathForMessages)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        string? first = reader.ReadLine();
        if (first != Header)
        {
            throw new InvalidDataException($"{pathForMessages}: invalid tombstones file (the first line must be a UTF-8 BOM and 'Version 1.0').");
        }

        var names = new List<string>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > MaxLineLength || line[0] != '\\')
            {
                throw new InvalidDataException($"{pathForMessages}, line {lineNumber}: a tombstone is a path under Files starting with '\\', at most {MaxLineLength} characters.");
            }

            try
            {
                names.Add(TransportPath.Join(TransportPath.Files, TransportPath.Clean(line[1..])));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{pathForMessages}, line {lineNumber}: invalid tombstone '{line}': {e.Message}", e);
            }
        }

        return names;
    }

    /// <summary>Writes tombstones given as layer names under <c>Files\</c>, as hcsshim's historical writer did.</summary>
    public static void Write(Stream stream, IEnumerable<string> names)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (string name in names)
        {
            if (!TransportPath.HasPrefix(name, TransportPath.Files))
            {
                throw new ArgumentException($"invalid tombstone {name}", nameof(names));
            }

            text.Append(name.AsSpan(TransportPath.Files.Length)).Append('\n');
        }

        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
