using System.Globalization;
using System.Text.Json;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// <c>view.jsonl</c> in a scratch layer: one JSON object per line for every path of the materialized view (relative
/// to the mount, <c>/</c> separators; the empty path is the root), so the difference against the parents can be found
/// later without reading file contents.
/// </summary>
internal sealed class ViewManifest
{
    public const string FileName = "view.jsonl";

    public Dictionary<string, ViewEntry> Entries { get; } = new(StringComparer.Ordinal);

    public static ViewManifest Read(string scratchPath)
    {
        var manifest = new ViewManifest();
        string file = Path.Combine(scratchPath, FileName);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNumber++;
            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                JsonElement e = document.RootElement;
                var kind = (LayerFileKind)e.GetProperty("k").GetInt32();
                manifest.Entries[e.GetProperty("p").GetString()!] = new ViewEntry(
                    e.GetProperty("l").GetInt32(),
                    kind,
                    UInt128.Parse(e.GetProperty("i").GetString()!, CultureInfo.InvariantCulture),
                    e.GetProperty("s").GetInt64(),
                    e.GetProperty("m").GetInt64(),
                    e.GetProperty("c").GetInt64(),
                    e.TryGetProperty("t", out JsonElement target) ? target.GetString() : null);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{file}, line {lineNumber}: {ex.Message}", ex);
            }
        }

        return manifest;
    }

    public void Write(string scratchPath)
    {
        string file = Path.Combine(scratchPath, FileName);
        using (var stream = new FileStream(file + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            byte[] newline = "\n"u8.ToArray();
            foreach ((string path, ViewEntry entry) in Entries)
            {
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    json.WriteString("p", path);
                    json.WriteNumber("l", entry.Layer);
                    json.WriteNumber("k", (int)entry.Kind);
                    json.WriteString("i", entry.FileId.ToString(CultureInfo.InvariantCulture));
                    json.WriteNumber("s", entry.Size);
                    json.WriteNumber("m", entry.LastWriteTime);
                    json.WriteNumber("c", entry.ChangeTime);
                    if (entry.LinkTarget is not null)
                    {
                        json.WriteString("t", entry.LinkTarget);
                    }

                    json.WriteEndObject();
                }

                stream.Write(newline);
            }
        }

        File.Move(file + ".tmp", file, overwrite: true);
    }

    public void RemoveTree(string path)
    {
        if (Entries.Remove(path, out ViewEntry? removed) && removed.Kind != LayerFileKind.Directory)
        {
            // Nothing can be below a file or link: no scan (the materializer calls this for every path it makes).
            return;
        }

        string prefix = path.Length == 0 ? string.Empty : path + "/";
        foreach (string key in Entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            Entries.Remove(key);
        }
    }
}
