namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        // For CreateFileW, declared once for the whole library in Interop/Windows/Kernel32.
        internal const uint GenericRead = 0x80000000;
        internal const uint GenericWrite = 0x40000000;
        internal const uint FileShareRead = 1;
        internal const uint FileShareWrite = 2;
        internal const uint OpenExisting = 3;
    }
}
