namespace WcLayer.Cli;

/// <summary>Prints listed entries in one output format.</summary>
internal interface IEntryWriter
{
    void Write(ListedEntry entry);

    /// <summary>Records that the listing failed, for formats that carry the failure in-band.</summary>
    /// <param name="message">One line saying what went wrong.</param>
    void WriteError(string message);
}
