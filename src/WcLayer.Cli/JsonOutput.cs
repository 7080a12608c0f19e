using System.CommandLine;
using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WcLayer.Cli;

/// <summary>The <c>--json</c> option and the one-object result a command prints with it.</summary>
internal static class JsonOutput
{
    // Paths are not HTML: escaping every non-ASCII letter would only make them unreadable.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates a <c>--json</c> option.</summary>
    /// <param name="description">What the command prints with it.</param>
    /// <returns>A new option.</returns>
    public static Option<bool> Option(string description) => new("--json") { Description = description };

    /// <summary>Writes one JSON object, on one line, to standard output.</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="write">Writes the object's properties.</param>
    /// <returns>A task that completes when the line is written.</returns>
    public static async Task WriteObjectAsync(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Writes an array of strings.</summary>
    /// <param name="json">The object being written.</param>
    /// <param name="name">The property.</param>
    /// <param name="values">The strings.</param>
    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
