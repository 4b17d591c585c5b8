/**
 * The provider's products: how usage is measured, and which data types are
 * eligible for Zero Data Retention. The retention page's eligibility table
 * and the policy API both read this one list.
 */
import { PRODUCT_IDS as IDS, type Product } from "@/lib/vocabulary";

export type { Product };

export type DataTypeEligibility = { dataType: string; zdrEligible: boolean };

export type ProductInfo = {
  id: Product;
  label: string;
  inputUnit: string;
  outputUnit: string;
  dataTypes: DataTypeEligibility[];
};

export const PRODUCTS: readonly ProductInfo[] = [
  {
    id: "text_to_speech",
    label: "Text to speech",
    inputUnit: "characters",
    outputUnit: "seconds of audio",
    dataTypes: [
      { dataType: "text input", zdrEligible: true },
      { dataType: "audio output", zdrEligible: true },
    ],
  },
  {
    id: "voice_changer",
    label: "Voice changer",
    inputUnit: "seconds of audio",
    outputUnit: "seconds of audio",
    dataTypes: [
      { dataType: "audio input", zdrEligible: true },
      { dataType: "audio output", zdrEligible: true },
    ],
  },
  {
    id: "speech_to_text",
    label: "Speech to text",
    inputUnit: "seconds of audio",
    outputUnit: "characters",
    dataTypes: [
      { dataType: "audio input", zdrEligible: true },
      { dataType: "transcript output", zdrEligible: true },
    ],
  },
  {
    id: "llm",
    label: "LLM completions",
    inputUnit: "tokens",
    outputUnit: "tokens",
    dataTypes: [
      { dataType: "prompt input", zdrEligible: true },
      { dataType: "completion output", zdrEligible: true },
    ],
  },
  {
    id: "voice_cloning",
    label: "Voice cloning (instant and professional)",
    inputUnit: "seconds of audio",
    outputUnit: "voices",
    dataTypes: [{ dataType: "voice samples", zdrEligible: false }],
  },
  {
    id: "dubbing",
    label: "Dubbing",
    inputUnit: "seconds of audio",
    outputUnit: "seconds of audio",
    dataTypes: [
      { dataType: "source media", zdrEligible: false },
      { dataType: "dubbed output", zdrEligible: false },
    ],
  },
  {
    id: "projects",
    label: "Long-form projects",
    inputUnit: "characters",
    outputUnit: "seconds of audio",
    dataTypes: [{ dataType: "project text and audio", zdrEligible: false }],
  },
  {
    id: "agents",
    label: "Conversational agents",
    inputUnit: "seconds of audio",
    outputUnit: "seconds of audio",
    dataTypes: [{ dataType: "conversation audio and transcripts", zdrEligible: false }],
  },
] as const;

export const PRODUCT_IDS = IDS;

// The catalogue describes every product of the vocabulary, in its order.
if (PRODUCTS.map((p) => p.id).join() !== IDS.join()) throw new Error("lib/usage/products.ts must list every product of lib/vocabulary.ts in order");

export function productInfo(id: Product): ProductInfo {
  return PRODUCTS.find((p) => p.id === id)!;
}
