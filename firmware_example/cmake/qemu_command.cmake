# The QEMU command line shared by the firmware's test scripts: semihosting console on stdout.
# Sets fw_qemu_command from QEMU, MACHINE and ELF.
set(fw_qemu_command ${QEMU} -M ${MACHINE} -display none -monitor none -serial none
    -chardev stdio,id=semihosting_console
    -semihosting-config enable=on,target=native,chardev=semihosting_console
    -kernel ${ELF})
