using System.CommandLine;
using System.Globalization;

namespace WcLayer.Cli;

/// <summary><c>wclayer info &lt;layer&gt;</c>: a layer's kind, chain, state, file count and size.</summary>
internal static class InfoCommand
{
    private const string Name = "info";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Argument<string> layer = LayerOptions.Layer("layer", "The layer folder.");
        Option<bool> json = JsonOutput.Option("Print one JSON object: path, kind, chain, state (scratch layers), files, directories, deletions, size.");
        var command = new Command(Name, "Show what a layer is: kind (base, layer or scratch), parent chain, state, and its content as an export would see it (for a scratch layer: its changes): files, directories, deletions, size.")
        {
            layer,
            json,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), parseResult.GetValue(json), async () =>
        {
            string path = Path.GetFullPath(parseResult.GetValue(layer)!);
            LayerPaths.RequireLayer(LayerStore.Default, path);
            LayerSummary summary = LayerSummary.Read(LayerStore.Default, path);
            await (parseResult.GetValue(json) ? WriteJsonAsync(console.Output, summary) : WriteTextAsync(console.Output, summary));
        }));
        return command;
    }

    private static Task WriteJsonAsync(TextWriter output, LayerSummary summary) =>
        JsonOutput.WriteObjectAsync(output, o =>
        {
            o.WriteString("path", summary.Path);
            o.WriteString("kind", summary.Kind);
            JsonOutput.WriteStrings(o, "chain", summary.Chain);
            if (summary.Activated is { } activated && summary.Prepared is { } prepared)
            {
                o.WriteStartObject("state");
                o.WriteBoolean("activated", activated);
                o.WriteBoolean("prepared", prepared);
                o.WriteEndObject();
            }

            o.WriteNumber("files", summary.Files);
            o.WriteNumber("directories", summary.Directories);
            o.WriteNumber("deletions", summary.Deletions);
            o.WriteNumber("size", summary.Size);
        });

    private static async Task WriteTextAsync(TextWriter output, LayerSummary summary)
    {
        await output.WriteLineAsync($"path:        {summary.Path}");
        await output.WriteLineAsync($"kind:        {summary.Kind}");
        await output.WriteLineAsync($"chain:       {(summary.Chain.Count == 0 ? "(none)" : string.Join(", ", summary.Chain))}");
        if (summary.Activated is { } activated && summary.Prepared is { } prepared)
        {
            await output.WriteLineAsync($"state:       {(activated ? "activated" : "not activated")}, {(prepared ? "prepared (mounted)" : "not prepared")}");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"files:       {summary.Files}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"directories: {summary.Directories}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"deletions:   {summary.Deletions}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"size:        {summary.Size} bytes ({summary.Size / (1024.0 * 1024):F1} MiB)"));
    }
}
