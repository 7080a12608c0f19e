internal static partial class Interop
{
    /// <summary>
    /// The Windows DLLs of the file-system seam. Every import is searched in System32 only, so a DLL planted beside the
    /// application is never used.
    /// </summary>
    internal static class WindowsLibraries
    {
        internal const string NtDll = "ntdll.dll";
        internal const string Kernel32 = "kernel32.dll";
    }
}
