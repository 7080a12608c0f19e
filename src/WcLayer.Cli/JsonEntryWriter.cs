using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Cli;

/// <summary>
/// The machine-readable listing: JSON Lines, one object per entry. A field is omitted only where it does not apply
/// (a time that is not set, a missing security descriptor, the data fields of a whiteout).
/// </summary>
internal sealed class JsonEntryWriter : IEntryWriter, IDisposable
{
    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    // Names are Windows paths, not HTML: escaping every non-ASCII letter would only make them unreadable.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter _output;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;

    public JsonEntryWriter(TextWriter output)
    {
        _output = output;
        _json = new Utf8JsonWriter(_buffer, Options);
    }

    public void Write(ListedEntry listed)
    {
        LayerTarEntry entry = listed.Entry;
        _json.WriteStartObject();
        _json.WriteString("name", entry.Name);
        _json.WriteString("type", EntryTypeNames.Name(entry.EntryType));
        if (entry.EntryType != LayerTarEntryType.Whiteout)
        {
            WriteMetadata(listed);
        }

        _json.WriteEndObject();
        EndLine();
    }

    public void WriteError(string message)
    {
        _json.WriteStartObject();
        _json.WriteString("error", message);
        _json.WriteEndObject();
        EndLine();
    }

    public void Dispose() => _json.Dispose();

    private void WriteMetadata(ListedEntry listed)
    {
        LayerTarEntry entry = listed.Entry;
        FileBasicInfo info = entry.FileInfo;
        if (entry.EntryType == LayerTarEntryType.File)
        {
            _json.WriteNumber("size", entry.Size);
        }

        _json.WriteNumber("attributes", (uint)info.FileAttributes);
        WriteTime("creationTime", info.CreationTimeUtc);
        WriteTime("lastAccessTime", info.LastAccessTimeUtc);
        WriteTime("lastWriteTime", info.LastWriteTimeUtc);
        WriteTime("changeTime", info.ChangeTimeUtc);
        if (entry.EntryType == LayerTarEntryType.HardLink)
        {
            // A hard link shares everything else with its target; the tar carries only the name.
            _json.WriteString("linkTarget", entry.LinkTarget);
            return;
        }

        if (entry.SecurityDescriptor is { } sd)
        {
            _json.WriteBase64String("securityDescriptor", sd);
            if (SddlText.TryConvert(sd) is { } sddl)
            {
                _json.WriteString("sddl", sddl);
            }
        }

        _json.WriteStartArray("streams");
        foreach (AlternateStream stream in listed.Streams)
        {
            _json.WriteStartObject();
            _json.WriteString("name", stream.Name);
            _json.WriteNumber("size", stream.Size);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteStartArray("eas");
        foreach (ExtendedAttribute ea in entry.ExtendedAttributes)
        {
            _json.WriteStartObject();
            _json.WriteString("name", ea.Name);
            _json.WriteNumber("flags", ea.Flags);
            _json.WriteBase64String("value", ea.Value.Span);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        if (entry.EntryType is LayerTarEntryType.SymbolicLink or LayerTarEntryType.Junction)
        {
            _json.WriteString("reparseTarget", entry.LinkTarget);
        }
    }

    private void WriteTime(string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            _json.WriteString(name, t.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        }
    }

    private void EndLine()
    {
        _json.Flush();
        _output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _buffer.ResetWrittenCount();
        _json.Reset();
    }
}
