import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await getServerSession(authOptions)) ? "/runs" : "/signin");
}
