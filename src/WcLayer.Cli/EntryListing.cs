using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>Prints the entries of a layer tar, text or JSON Lines: the listing shared by <c>ls</c> and <c>diff</c>.</summary>
internal static class EntryListing
{
    /// <summary>Lists the tar <paramref name="openTar"/> returns.</summary>
    /// <param name="console">The standard streams.</param>
    /// <param name="commandName">The command, for error messages.</param>
    /// <param name="source">What is listed, for error messages.</param>
    /// <param name="openTar">Opens the uncompressed tar; called inside the error handling.</param>
    /// <param name="json">Whether to print JSON Lines.</param>
    /// <param name="verbose">Whether to print the full exception on failure.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliConsole console, string commandName, string source, Func<Stream> openTar, bool json, bool verbose, CancellationToken cancellationToken)
    {
        using JsonEntryWriter? jsonWriter = json ? new JsonEntryWriter(console.Output) : null;
        IEntryWriter writer = jsonWriter ?? (IEntryWriter)new TextEntryWriter(console.Output);
        var grouper = new StreamGrouper();

        // A listing sent to a file or a pipe shows its progress on the terminal; one on the terminal is its own progress.
        using TerminalProgress? progress = console.OutputIsTerminal ? null : TerminalProgress.For(console, "listing");
        try
        {
            await using Stream input = openTar();
            await using var reader = new LayerTarReader(input);
            long entries = 0;
            long bytes = 0;
            while (await reader.GetNextEntryAsync(cancellationToken) is { } entry)
            {
                if (grouper.Add(entry) is { } completed)
                {
                    writer.Write(completed);
                }

                bytes += entry.EntryType == LayerTarEntryType.File ? entry.Size : 0;
                progress?.Report(new LayerProgress(++entries, bytes, entry.Name));
            }

            if (grouper.Flush() is { } last)
            {
                writer.Write(last);
            }

            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was read before the failure is still worth seeing (it tells where the tar went wrong).
            if (grouper.Flush() is { } last)
            {
                writer.Write(last);
            }

            string description = CommandErrors.Describe(e);
            string message = description.StartsWith(source, StringComparison.Ordinal) ? description : $"{source}: {description}";
            writer.WriteError(message);
            await CommandRunner.WriteErrorAsync(console, $"{Program.ToolName} {commandName}", message, verbose ? e : null);
            return 1;
        }
    }

    /// <summary>Opens a layer folder as the tar <c>wclayer export</c> would write (for a scratch layer: its changes).</summary>
    /// <param name="path">The layer folder.</param>
    /// <param name="parents">Its parents, immediate parent first; empty for the layer's recorded chain.</param>
    /// <param name="cancellationToken">Stops the producer.</param>
    /// <returns>The tar bytes.</returns>
    public static Stream OpenLayer(string path, IReadOnlyList<string> parents, CancellationToken cancellationToken) =>
        LayerTarPipe.Open(LayerStore.Default.NewLayerReader(path, parents), cancellationToken);
}
